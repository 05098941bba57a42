"""Alerts in: open or feed incidents from what a monitor sent (docs/alert-intake.md).

One call, one transaction: a payload either changes everything it should or nothing.

- Grouping: one `AlertGroup` per (source, group key), locked for the call, so two requests
  for the same group (Alertmanager retrying, two replicas sending the same notification)
  take turns, and the second sees what the first wrote. A notification sent again (every
  alert in the state last recorded on the group's open incident) is answered by
  `intake_repeat` from one read before any lock or transaction (the read also proves the
  token): nothing is written for it.
- "Open": the group's incident is open until it is closed. A restored incident still takes
  the group's alerts (a firing alert adds a timeline entry; it does not re-open it: people
  decide that). Once closed, the next firing alert opens a new incident.
- De-duplication: an alert (its fingerprint) is recorded when its state is new to the
  incident: firing for the first time, firing again after it resolved, resolved after
  firing. The same state sent again adds nothing.
- Timeline: the payload that opens an incident is recorded by the declaration entry; after
  that each payload adds at most one entry for its newly firing alerts and one for its newly
  resolved ones. A resolved alert never closes or restores anything.
- Severity, service, type: the source's mapping table, first matching row (per alert); the
  incident opens with the most severe alert's. A later firing alert that maps more severe
  raises the incident's severity (never lowers it), which re-evaluates the escalation.
- Who: incidents are declared through `incident_declare` (so escalation starts as for a
  person's declaration) by the intake account (`intake_account`), a portal account that
  cannot sign in and holds only the permissions this needs; each timeline entry names the
  source, and each alert row keeps the request id of the history rows it caused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import F, Max
from django.utils import timezone

from bcp_portal.catalogue.models import Service
from bcp_portal.core.audit import current_context
from bcp_portal.core.auth_backends import user_with_permissions
from incidents.intake_payloads import FIRING, RESOLVED, Batch, ReceivedAlert
from incidents.models import (
    SEVERITY_RANK,
    AlertGroup,
    Incident,
    IncidentType,
    IntakeAlert,
    IntakeMapping,
    IntakeSource,
    Severity,
    TimelineEntry,
)
from incidents.services.lifecycle import incident_declare, incident_set_severity, timeline_add

M = TypeVar("M", bound=models.Model)
INTAKE_USERNAME = "alert-intake"
INTAKE_PERMISSIONS = (
    ("incidents", "add_incident"),
    ("incidents", "change_incident"),
    ("incidents", "add_timelineentry"),
)
TITLE_MAX = 200


def intake_account() -> User:
    """The account alert intake acts as: made on first use, no usable password (it cannot
    sign in or reset one), no role, only the permissions intake needs, granted to it.

    Read with its permissions in one query (`user_with_permissions`): every alert that
    writes asks whether the account may."""
    found = user_with_permissions(User.objects.filter(username=INTAKE_USERNAME))
    if found is not None:
        return found
    user, created = User.objects.get_or_create(
        username=INTAKE_USERNAME,
        defaults={"first_name": "Alert", "last_name": "intake", "password": "!"},
    )
    if created:
        wanted = Permission.objects.filter(
            content_type__app_label="incidents",
            codename__in=[codename for _, codename in INTAKE_PERMISSIONS],
        )
        user.user_permissions.set(wanted)
    return user


@dataclass
class Mapped:
    severity: str
    service_id: int | None
    incident_type_id: int


@dataclass
class IntakeResult:
    incident: Incident | None = None
    opened: bool = False
    firing: int = 0
    resolved: int = 0
    unchanged: int = 0
    ignored: int = 0
    incidents: list[Incident] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "incident": self.incident.reference if self.incident else None,
            "opened": self.opened,
            "recorded": {"firing": self.firing, "resolved": self.resolved},
            "unchanged": self.unchanged,
            "ignored": self.ignored,
        }


SOURCE_READ = (
    "id",
    "name",
    "kind",
    "revoked_at",
    "default_incident_type_id",
    "default_severity",
)
MAPPING_READ = (
    "id",
    "position",
    "label",
    "value",
    "severity",
    "service_id",
    "incident_type_id",
)


def intake_source_for_token(token_hash: str) -> IntakeSource | None:
    """The source whose token has this SHA-256, live or not, with its mapping table in
    order (`mapping_table`), in one query: a payload with anything new needs both."""
    rows = list(
        IntakeSource.objects.filter(token_hash=token_hash)
        .order_by("mappings__position", "mappings__id")
        .values_list(
            *(name.removesuffix("_id") if name != "id" else name for name in SOURCE_READ),
            *(f"mappings__{name.removesuffix('_id')}" for name in MAPPING_READ),
        )
    )
    if not rows:
        return None
    width = len(SOURCE_READ)
    source = _from_row(IntakeSource, dict(zip(SOURCE_READ, rows[0][:width], strict=True)))
    source.mapping_table = [
        _from_row(
            IntakeMapping,
            {"source_id": source.pk, **dict(zip(MAPPING_READ, row[width:], strict=True))},
        )
        for row in rows
        if row[width] is not None  # a source without mapping rows: one row of NULLs
    ]
    return source


def _from_row(model: type[M], values: dict[str, object]) -> M:
    """A row of `model` from the columns read (`from_db` takes them in the model's order)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


class _Mapper:
    """The source's mapping table, read once, and only when an alert needs mapping."""

    def __init__(self, source: IntakeSource) -> None:
        self.source = source
        self._rows: list[IntakeMapping] | None = None
        self._services: dict[str, int] = {}

    def rows(self) -> list[IntakeMapping]:
        if self._rows is None:
            self._rows = self.source.mapping_table
        if self._rows is None:
            self._rows = list(self.source.mappings.order_by("position", "pk"))
        return self._rows

    def services_by_name(self, names: set[str]) -> None:
        found = dict(Service.objects.filter(name__in=names).values_list("name", "pk"))
        missing = sorted(names - set(found))
        if missing:
            raise ValidationError(
                {"service": f"No service of the catalogue is named {missing[0][:100]!r}."}
            )
        self._services = found

    def map(self, alert: ReceivedAlert) -> Mapped:
        row = next((r for r in self.rows() if r.matches(alert.labels)), None)
        mapped = Mapped(
            severity=(row.severity if row else "") or self.source.default_severity,
            service_id=row.service_id if row else None,
            incident_type_id=(row.incident_type_id if row else None)
            or self.source.default_incident_type_id,
        )
        if alert.severity:
            mapped.severity = alert.severity
        if alert.service:
            mapped.service_id = self._services[alert.service]
        return mapped


def _group_locked(source: IntakeSource, key: str) -> AlertGroup:
    """The (source, key) group, created if new, locked until the transaction ends.

    Two requests creating the same group at once: the second's insert waits on the unique
    index for the first to commit, then inserts nothing and locks the first's row."""
    key_hash = AlertGroup.hash(key)
    groups = AlertGroup.objects.select_for_update(of=("self",)).select_related("incident")
    group = groups.filter(source=source, key_hash=key_hash).first()
    if group is None:
        AlertGroup.objects.bulk_create(
            [AlertGroup(source=source, key_hash=key_hash, key=key)], ignore_conflicts=True
        )
        group = groups.get(source=source, key_hash=key_hash)
    return group


def _latest_states(incident: Incident, fingerprints: set[str]) -> dict[str, str]:
    """Each fingerprint's last recorded state on the incident (firing or resolved)."""
    last_ids = (
        IntakeAlert.objects.filter(incident=incident, fingerprint__in=fingerprints)
        .values("fingerprint")
        .annotate(last=Max("pk"))
        .values("last")
    )
    return dict(IntakeAlert.objects.filter(pk__in=last_ids).values_list("fingerprint", "status"))


def _is_new(alert: ReceivedAlert, previous: str | None) -> bool:
    if alert.status == FIRING:
        return previous != FIRING
    return previous != RESOLVED


def _summary(alerts: list[ReceivedAlert], verb: str) -> str:
    names = list(dict.fromkeys(a.title for a in alerts))
    more = f" (+{len(names) - 1} more)" if len(names) > 1 else ""
    return f"Alert {verb}: {names[0]}"[: 500 - len(more)] + more


def _description(source: IntakeSource, batch: Batch, firing: list[ReceivedAlert]) -> str:
    lines = [f"Opened by alert intake from {source.name}."]
    for alert in firing[:20]:
        detail = alert.annotations.get("description") or alert.annotations.get("summary") or ""
        lines.append(
            f"- {alert.title}" + (f": {detail}" if detail and detail != alert.title else "")
        )
    if len(firing) > 20:
        lines.append(f"- … and {len(firing) - 20} more")
    return "\n".join(lines)[:5000]


def _title(batch: Batch, firing: list[ReceivedAlert]) -> str:
    common = batch.common_annotations.get("summary") or batch.common_labels.get("alertname")
    title = common or firing[0].title
    others = len({a.title for a in firing}) - 1
    suffix = f" (+{others} more)" if others > 0 and not common else ""
    return title[: TITLE_MAX - len(suffix)] + suffix


def _most_severe(mapped: list[Mapped]) -> Mapped:
    return min(mapped, key=lambda m: SEVERITY_RANK[Severity(m.severity)])


def intake_repeat(*, token_hash: str, kind: str, batch: Batch) -> IntakeResult | None:
    """The answer to a notification sent again, from one read that also proves the token,
    without a lock or a transaction: when the live source of `kind` whose token has this
    SHA-256 has every alert of `batch` recorded, in the state sent, as the last state on its
    group's open incident, nothing is to be written. None otherwise (an unknown or revoked
    token included): `intake_receive` decides, after the source is read and checked.

    Sound without the lock: it answers only from committed states, and a request changing
    them at the same moment is simply ordered after this one."""
    sent = {(a.fingerprint, a.status) for a in batch.alerts}
    fingerprints = {fingerprint for fingerprint, _ in sent}
    if len(fingerprints) != len(sent):
        return None  # one alert in two states: one of them is new
    last_ids = (
        IntakeAlert.objects.filter(
            group__source__token_hash=token_hash,
            group__source__kind=kind,
            group__source__revoked_at__isnull=True,
            group__key_hash=AlertGroup.hash(batch.group_key),
            incident=F("group__incident"),
            fingerprint__in=fingerprints,
        )
        .values("fingerprint")
        .annotate(last=Max("pk"))
        .values("last")
    )
    latest = list(
        IntakeAlert.objects.filter(pk__in=last_ids)
        .exclude(incident__status=Incident.Status.CLOSED)
        .select_related("incident")
        .only("fingerprint", "status", "incident__reference", "incident__status")
        .order_by()
    )
    if not latest or {(a.fingerprint, a.status) for a in latest} != sent:
        return None
    return IntakeResult(incident=latest[0].incident, unchanged=len(batch.alerts))


@transaction.atomic
def intake_receive(
    *, source: IntakeSource, batch: Batch, now: datetime | None = None
) -> IntakeResult:
    """Record what `source` sent for one group: open, feed or leave alone its incident."""
    if not source.is_live:
        raise ValidationError("This intake source is revoked.")
    now = now or timezone.now()
    result = IntakeResult()
    group = _group_locked(source, batch.group_key)
    current = group.incident
    is_open = current is not None and current.status != Incident.Status.CLOSED
    fingerprints = {a.fingerprint for a in batch.alerts}
    previous = _latest_states(current, fingerprints) if is_open and current else {}
    fresh = [a for a in batch.alerts if _is_new(a, previous.get(a.fingerprint))]
    # One alert sent twice in one payload: its first state counts.
    fresh = list({(a.fingerprint, a.status): a for a in reversed(fresh)}.values())[::-1]
    result.unchanged = len(batch.alerts) - len(fresh)
    firing = [a for a in fresh if a.status == FIRING]
    resolved = [a for a in fresh if a.status == RESOLVED]

    target = current if is_open else None
    if target is None and not firing:
        if current is not None and resolved:
            # Resolved after its incident was closed: recorded on that incident, for the
            # post-mortem's timeline, if it was firing there.
            earlier = _latest_states(current, {a.fingerprint for a in resolved})
            resolved = [a for a in resolved if earlier.get(a.fingerprint) == FIRING]
            target = current if resolved else None
            result.ignored = len(fresh) - len(resolved)
        if target is None:
            result.ignored = len(fresh)
            return result
    if not firing and not resolved:
        result.incident = target
        return result

    mapper = _Mapper(source)
    names = {a.service for a in fresh if a.service}
    if names:
        mapper.services_by_name(names)
    mapped = {id(a): mapper.map(a) for a in firing + resolved}
    actor = intake_account()
    ctx = current_context()

    if target is None:
        top = _most_severe([mapped[id(a)] for a in firing])
        service_ids = sorted({m.service_id for a in firing if (m := mapped[id(a)]).service_id})
        onset = min(min(a.starts_at for a in firing), now)
        target = incident_declare(
            actor=actor,
            title=_title(batch, firing),
            description=_description(source, batch, firing),
            incident_type=IncidentType.objects.get(pk=top.incident_type_id),
            severity=top.severity,
            detected_at=now,
            started_at=onset,
            services=list(Service.objects.filter(pk__in=service_ids)),
        )
        group.incident = target
        group.save(update_fields=["incident"])
        result.opened = True
    else:
        owner_name = f"{source.name} (alert intake)"[:200]
        if firing:
            timeline_add(
                actor=actor,
                incident=target,
                kind=TimelineEntry.Kind.ALERT,
                event=_summary(
                    firing,
                    "firing again"
                    if any(previous.get(a.fingerprint) == RESOLVED for a in firing)
                    else "firing",
                ),
                at=min(min(a.starts_at for a in firing), now),
                owner_name=owner_name,
            )
            top = _most_severe([mapped[id(a)] for a in firing])
            if (
                target.is_open
                and SEVERITY_RANK[Severity(top.severity)] < SEVERITY_RANK[Severity(target.severity)]
            ):
                target = incident_set_severity(
                    actor=actor,
                    incident=target,
                    severity=top.severity,
                    reason=f"Alert intake: a firing alert of {source.name} maps to {top.severity}.",
                )
        if resolved:
            timeline_add(
                actor=actor,
                incident=target,
                kind=TimelineEntry.Kind.ALERT,
                event=_summary(resolved, "resolved"),
                at=min(max(a.ends_at or now for a in resolved), now),
                owner_name=owner_name,
            )
    IntakeAlert.objects.bulk_create(
        [
            IntakeAlert(
                group=group,
                incident=target,
                fingerprint=a.fingerprint,
                status=a.status,
                title=a.title,
                starts_at=a.starts_at,
                ends_at=a.ends_at,
                labels=a.labels,
                annotations=a.annotations,
                generator_url=a.generator_url,
                severity=mapped[id(a)].severity,
                received_at=now,
                request_id=ctx.request_id,
            )
            for a in firing + resolved
        ]
    )
    result.incident = target
    result.firing = len(firing)
    result.resolved = len(resolved)
    return result
