"""The incident lifecycle: declare, edit, move status, change severity, re-open, timeline.

Status moves through one function, `incident_set_status`, forward only (a step may be
skipped: a blip restored before anyone responded); going back is `incident_reopen`, with
a reason. Each status or severity change writes its own timeline entry in the same
transaction, and tells escalation (`incidents.escalation`) so that a declared or raised
incident pages the right people through the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bcp_portal.catalogue.models import Service
from bcp_portal.core.roles import require_perm
from bcp_portal.core.services import apply_changes, save_audited
from bcp_portal.core.typehints import Actor
from incidents import escalation, metric_summary
from incidents.models import (
    SEVERITY_RANK,
    Incident,
    IncidentResponder,
    IncidentService,
    Severity,
    TimelineEntry,
)

STATUS_ORDER: list[str] = [
    Incident.Status.DETECTED,
    Incident.Status.RESPONDING,
    Incident.Status.MITIGATED,
    Incident.Status.RESTORED,
    Incident.Status.CLOSED,
]
EDITABLE_FIELDS = (
    "title",
    "description",
    "incident_type",
    "business_impact",
    "commander",
    "involves_personal_data",
    "involves_payment_data",
    "affected_users",
    "lost_transactions",
    "revenue_impact",
    "high_financial_impact",
    "started_at",
    "detected_at",
    "acknowledged_at",
    "response_started_at",
    "restored_at",
    "closed_at",
    "rpo_actual_minutes",
    "rpo_basis",
    "rpo_note",
)
REFERENCE_ATTEMPTS = 5


def _actor_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def next_reference(year: int) -> str:
    """INC-<year>-<n>, n one more than the year's highest (a race is retried by the caller)."""
    prefix = f"INC-{year}-"
    last = (
        Incident.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:04d}"


def timeline_add(
    *,
    actor: Actor,
    incident: Incident,
    event: str,
    at: datetime | None = None,
    action_taken: str = "",
    owner: User | None = None,
    owner_name: str = "",
    kind: str = TimelineEntry.Kind.NOTE,
) -> TimelineEntry:
    """Add a timeline entry (people add notes; the lifecycle adds the rest)."""
    require_perm(actor, "incidents.add_timelineentry")
    entry = TimelineEntry(
        incident=incident,
        at=at or timezone.now(),
        kind=kind,
        event=event,
        action_taken=action_taken,
        owner=owner,
        owner_name=owner_name,
        created_by=_actor_user(actor),
    )
    # The entry and its history row in one transaction; inside a caller's transaction no
    # savepoint of its own (an error still rolls back whatever encloses it). Validated once;
    # the incident and the author are rows the caller holds (the database's foreign keys
    # check them again), so asking the database for each would cost a query apiece.
    with transaction.atomic(savepoint=False):
        return save_audited(entry, actor=actor, exclude=["incident", "created_by"])


def _system_entry(
    incident: Incident, actor: Actor, kind: str, event: str, at: datetime, action: str = ""
) -> None:
    user = _actor_user(actor)
    entry = TimelineEntry(
        incident=incident,
        at=at,
        kind=kind,
        event=event[:500],
        action_taken=action,
        owner=user,
        created_by=user,
    )
    save_audited(entry, actor=actor)


def _set_people(
    incident: Incident,
    actor: Actor,
    services: Iterable[Service] | None,
    responders: Iterable[User] | None,
) -> None:
    """Make the incident's services and responders the given ones (history per link row)."""
    if services is not None:
        wanted = {s.pk for s in services}
        for link in incident.service_links.all():
            if link.service_id not in wanted:
                link.delete()
        have = set(incident.service_links.values_list("service_id", flat=True))
        for service_id in sorted(wanted - have):
            save_audited(IncidentService(incident=incident, service_id=service_id), actor=actor)
    if responders is not None:
        wanted = {u.pk for u in responders}
        for responder_link in incident.responder_links.all():
            if responder_link.user_id not in wanted:
                responder_link.delete()
        have = set(incident.responder_links.values_list("user_id", flat=True))
        for user_id in sorted(wanted - have):
            save_audited(IncidentResponder(incident=incident, user_id=user_id), actor=actor)


def incident_declare(
    *,
    actor: Actor,
    services: Iterable[Service] = (),
    responders: Iterable[User] = (),
    severity: str = Severity.P2,
    detected_at: datetime | None = None,
    **fields: Any,
) -> Incident:
    """Open an incident (status detected), write its first timeline entry, start escalation."""
    require_perm(actor, "incidents.add_incident")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown incident fields: {sorted(unknown)}")
    detected_at = detected_at or timezone.now()
    for attempt in range(REFERENCE_ATTEMPTS):
        incident = Incident(
            severity=severity,
            detected_at=detected_at,
            created_by=_actor_user(actor),
            **fields,
        )
        incident.reference = next_reference(timezone.localtime(detected_at).year)
        incident.status = _status_for_times(incident)
        try:
            with transaction.atomic():
                save_audited(incident, actor=actor)
                _set_people(incident, actor, services, responders)
                metric_summary.incident_declared(incident)
                _system_entry(
                    incident,
                    actor,
                    TimelineEntry.Kind.STATUS,
                    f"Incident declared ({incident.severity}, {incident.get_status_display()})",
                    detected_at,
                )
                escalation.incident_escalation_start(incident=incident)
            return incident
        except IntegrityError:
            # Another declaration took the same reference first: take the next one.
            taken = Incident.objects.filter(reference=incident.reference).exists()
            if not taken or attempt == REFERENCE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _status_for_times(incident: Incident) -> str:
    """A declaration typed after the fact starts at the status its times say."""
    if incident.closed_at:
        return Incident.Status.CLOSED
    if incident.restored_at:
        return Incident.Status.RESTORED
    if incident.response_started_at:
        return Incident.Status.RESPONDING
    return Incident.Status.DETECTED


@transaction.atomic
def incident_update(
    *,
    actor: Actor,
    incident: Incident,
    services: Iterable[Service] | None = None,
    responders: Iterable[User] | None = None,
    **fields: Any,
) -> Incident:
    """Edit facts and times (not status or severity: they have their own functions)."""
    require_perm(actor, "incidents.change_incident")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown incident fields: {sorted(unknown)}")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if fields.get("closed_at") and incident.status != Incident.Status.CLOSED:
        raise ValidationError({"closed_at": "Close the incident to give it a closing time."})
    if (
        "restored_at" in fields
        and fields["restored_at"] is None
        and incident.status in (Incident.Status.RESTORED, Incident.Status.CLOSED)
    ):
        raise ValidationError(
            {"restored_at": "A restored incident keeps its restore time; re-open it instead."}
        )
    keeps_metrics = services is not None or not metric_summary.INCIDENT_FIELDS.isdisjoint(fields)
    with _metrics_kept(incident, keeps_metrics):
        if apply_changes(incident, fields):
            save_audited(incident, actor=actor)
        _set_people(incident, actor, services, responders)
    return incident


def _metrics_kept(incident: Incident, changes_metrics: bool) -> AbstractContextManager[None]:
    """The DR metrics' summary follows the change in its transaction (when it reads it)."""
    return metric_summary.incident_changing(incident) if changes_metrics else nullcontext()


@transaction.atomic
def incident_set_status(
    *,
    actor: Actor,
    incident: Incident,
    status: str,
    at: datetime | None = None,
    note: str = "",
) -> Incident:
    """Move forward to `status`, stamping the times it implies that are still blank."""
    require_perm(actor, "incidents.change_incident")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if status not in STATUS_ORDER:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    current, target = STATUS_ORDER.index(incident.status), STATUS_ORDER.index(status)
    if target == current:
        raise ValidationError(
            {"status": f"The incident is already {incident.get_status_display().lower()}."}
        )
    if target < current:
        raise ValidationError(
            {"status": "An incident moves forward only; re-open it, with a reason, to go back."}
        )
    at = at or timezone.now()
    if at < incident.detected_at:
        raise ValidationError({"at": "That time is before the incident was detected."})
    if at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"at": "That time is in the future."})
    before = incident.get_status_display()
    restoring = target >= STATUS_ORDER.index(Incident.Status.RESTORED)
    with _metrics_kept(incident, restoring and incident.restored_at is None):
        if target >= STATUS_ORDER.index(Incident.Status.RESPONDING):
            incident.acknowledged_at = incident.acknowledged_at or at
            incident.response_started_at = incident.response_started_at or at
        if restoring:
            incident.restored_at = incident.restored_at or at
        if status == Incident.Status.CLOSED:
            incident.closed_at = at
        incident.status = status
        save_audited(incident, actor=actor)
    _system_entry(
        incident,
        actor,
        TimelineEntry.Kind.STATUS,
        f"Status: {before} → {incident.get_status_display()}",
        at,
        note,
    )
    if target >= STATUS_ORDER.index(Incident.Status.RESPONDING):
        escalation.incident_escalation_stop(incident=incident, reason=f"status {status}")
    return incident


@transaction.atomic
def incident_set_severity(
    *, actor: Actor, incident: Incident, severity: str, reason: str = ""
) -> Incident:
    """Change the severity; raising it re-evaluates the escalation chain."""
    require_perm(actor, "incidents.change_incident")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if severity not in Severity.values:
        raise ValidationError({"severity": f"Choose one of {', '.join(Severity.values)}."})
    if severity == incident.severity:
        raise ValidationError({"severity": f"The incident is already {severity}."})
    before = incident.severity
    with _metrics_kept(incident, True):
        incident.severity = severity
        save_audited(incident, actor=actor)
    _system_entry(
        incident,
        actor,
        TimelineEntry.Kind.SEVERITY,
        f"Severity: {before} → {severity}",
        timezone.now(),
        reason,
    )
    if SEVERITY_RANK[Severity(severity)] < SEVERITY_RANK[Severity(before)]:
        escalation.incident_escalation_raise(incident=incident, previous=before)
    return incident


@transaction.atomic
def incident_reopen(*, actor: Actor, incident: Incident, reason: str) -> Incident:
    """Back to responding from restored or closed; the restore and close times are cleared
    (the timeline keeps them), so an incident is never counted restored while it is not."""
    require_perm(actor, "incidents.change_incident")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the incident is re-opened."})
    if incident.status not in (Incident.Status.RESTORED, Incident.Status.CLOSED):
        raise ValidationError({"status": "Only a restored or closed incident can be re-opened."})
    before = incident.get_status_display()
    was = [
        f"{label} {timezone.localtime(value):%Y-%m-%d %H:%M}"
        for label, value in (("restored", incident.restored_at), ("closed", incident.closed_at))
        if value
    ]
    with _metrics_kept(incident, incident.restored_at is not None):
        incident.status = Incident.Status.RESPONDING
        incident.restored_at = None
        incident.closed_at = None
        incident.reopen_count += 1
        save_audited(incident, actor=actor)
    _system_entry(
        incident,
        actor,
        TimelineEntry.Kind.STATUS,
        f"Re-opened: {before} → Responding (was {', '.join(was)})",
        timezone.now(),
        reason,
    )
    return incident
