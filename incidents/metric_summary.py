"""The upkeep of the DR metrics' monthly summary (`IncidentMetricMonth`): derived data.

The summary holds, per organisation month, severity and service, the sums and counts the
monthly view is made of (`metrics.sums_sql()` over `metrics.per_incident` rows), so the page,
its API, its PDF and the dashboard panel read a few dozen rows instead of aggregating a year
of incidents. It is kept exact by one mechanism used everywhere: before a change, the
changed incidents' contribution (computed by the database from the rows as they stand) is
subtracted; after it, their new contribution is added; rows left with no incident are
dropped. Both happen in the change's own transaction, so a reader never sees a summary that
disagrees with the incidents it has committed.

It also keeps each service's merged outages (`ServiceOutageIsland`, the availability's
source): a change recomputes, for each service and class (every severity, and its own) the
changed incident's outages were or are in, the islands from the earliest of those onsets
on (earlier islands cannot have changed), numbering them and adding up their lengths in
the same statement; a new outage inside an island not restored yet changes nothing.

Who calls it:
- the lifecycle services (`incidents.services.lifecycle`: declare, edit facts, times, type
  and services, move status, severity, re-open), through `incident_declared` and
  `incidents_changing`;
- signals on what the figures are measured against (connected in `IncidentsConfig.ready`):
  a catalogue service's RTO/RPO targets (its incidents), an incident type's expected RTO
  (its incidents without a service) or its being a partial degradation (everything is
  rebuilt), the organisation's objectives (incidents without a service) and its time zone
  (months move: everything is rebuilt);
- `rebuild` (`manage.py rebuild_incident_metrics`, migration 0009, the bench's seeding):
  the whole summary and the islands from the incidents, idempotent.

Incidents are never deleted by the portal (no service deletes one; the admin does not); a
deletion made outside the services would leave the summary behind until a rebuild.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from bcp_portal.catalogue.models import OrganisationProfile, Service
from bcp_portal.core.people import zone_named
from incidents import metrics
from incidents.models import Incident, IncidentService, IncidentType
from incidents.models_metrics import SUM_FIELDS, IncidentMetricMonth, ServiceOutageIsland

TABLE = IncidentMetricMonth._meta.db_table
LINKS = IncidentService._meta.db_table
OBJECTIVES = ("rto_target_minutes", "rto_max_minutes", "rpo_target_minutes", "rpo_max_minutes")
# The incident fields an incident's contribution reads (besides its severity and services,
# which the services that change them always report): an edit of none of them leaves the
# summary as it is.
INCIDENT_FIELDS = frozenset(
    {
        "incident_type",
        "affected_users",
        "started_at",
        "detected_at",
        "restored_at",
        "rpo_actual_minutes",
    }
)


def _profile(using: str) -> OrganisationProfile:
    profile = OrganisationProfile.objects.using(using).order_by("pk").first()
    return profile if profile is not None else OrganisationProfile()  # the model's defaults


def _contributions_sql(
    incidents: QuerySet[Incident], sign: int, using: str, profile: OrganisationProfile
) -> tuple[str, tuple[Any, ...]]:
    """SELECT month, severity, service, sums... of `incidents` (times `sign`): one row per
    month and severity for every incident (service 0), and one per service listed."""
    zone = zone_named(profile.time_zone)
    inner, params = (
        metrics.per_incident(incidents.using(using), zone, profile)
        .query.get_compiler(using)
        .as_sql()
    )
    vendor = connections[using].vendor
    month = "CAST(month AS date)" if vendor == "postgresql" else "date(month)"
    sums = ", ".join(f"{sign} * COALESCE({expression}, 0)" for expression in metrics.sums_sql())
    sql = f"""
        WITH p AS ({inner})
        SELECT {month} AS m, severity, 0 AS service, {sums} FROM p GROUP BY month, severity
        UNION ALL
        SELECT {month} AS m, severity, l.service_id, {sums}
        FROM p JOIN {LINKS} l ON l.incident_id = p.id
        GROUP BY month, severity, l.service_id
    """  # noqa: S608  (the only interpolations are our own SQL; values are parameters)
    return sql, tuple(params)


def _add(
    incidents: QuerySet[Incident],
    sign: int,
    *,
    using: str,
    profile: OrganisationProfile | None = None,
) -> None:
    """Add (or, with sign -1, subtract) the incidents' contribution, in one statement."""
    select, params = _contributions_sql(incidents, sign, using, profile or _profile(using))
    columns = ", ".join(SUM_FIELDS)
    added = ", ".join(f"{name} = {TABLE}.{name} + excluded.{name}" for name in SUM_FIELDS)
    sql = f"""
        INSERT INTO {TABLE} (month, severity, service, {columns})
        SELECT * FROM ({select}) c WHERE true
        ON CONFLICT (service, month, severity) DO UPDATE SET {added}
    """  # noqa: S608  (the only interpolations are our own SQL; values are parameters)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)


def _drop_empty(using: str) -> None:
    """Rows whose incidents all moved away (another month, severity or service)."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE incidents = 0")  # noqa: S608


def incident_declared(incident: Incident, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """A new incident joins the summary (call once its services are saved)."""
    incidents = Incident.objects.filter(pk=incident.pk)
    _add(incidents, 1, using=using)
    _islands_add_open(_outages(incidents, using), using)


@contextmanager
def incidents_changing(
    incidents: QuerySet[Incident], *, using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """Wrap a change of these incidents, inside its transaction: their contribution leaves
    the summary before the block and the new one joins after it (the same set of incidents
    both times, so the queryset must not select on what the block changes)."""
    if not connections[using].in_atomic_block:
        raise transaction.TransactionManagementError(
            "The metric summary is kept in the change's own transaction."
        )
    profile = _profile(using)
    _add(incidents, -1, using=using, profile=profile)
    outages = _outages(incidents, using)
    yield
    _add(incidents, 1, using=using, profile=profile)
    _drop_empty(using)
    _islands_follow(outages, _outages(incidents, using), using)


def incident_changing(incident: Incident) -> Any:
    """`incidents_changing` for one incident."""
    return incidents_changing(Incident.objects.filter(pk=incident.pk))


def rebuild(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """The whole summary again from the incidents, months and outage islands (idempotent);
    how many month rows it holds."""
    with transaction.atomic(using=using):
        rows = months_rebuild(using=using)
        islands_rebuild(using=using)
        return rows


def months_rebuild(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """The monthly summary again from the incidents (idempotent); how many rows it holds."""
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        _add(Incident.objects.all(), 1, using=using)
        return IncidentMetricMonth.objects.using(using).count()


# --- What the figures are measured against: targets and the organisation's zone ------------

_PENDING = "_metric_summary_pending"


def _service_incidents(service_id: int) -> QuerySet[Incident]:
    return Incident.objects.filter(
        Exists(IncidentService.objects.filter(incident=OuterRef("pk"), service=service_id))
    )


def _serviceless() -> QuerySet[Incident]:
    return Incident.objects.filter(~Exists(IncidentService.objects.filter(incident=OuterRef("pk"))))


def _before(instance: Any, using: str, affected: QuerySet[Incident] | str | None) -> None:
    """pre_save: subtract what the change will alter (the rows still hold the old values)."""
    if affected is None:
        return
    if isinstance(affected, QuerySet):
        _add(affected, -1, using=using)
    setattr(instance, _PENDING, affected)


def _after(sender: Any, instance: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_save: add back what `_before` subtracted, now measured against the new values."""
    affected = instance.__dict__.pop(_PENDING, None)
    if affected is None:
        return
    if affected == "rebuild":
        rebuild(using=using)
        return
    _add(affected, 1, using=using)
    _drop_empty(using)


def _changed(model: Any, instance: Any, using: str, names: tuple[str, ...]) -> set[str]:
    if instance.pk is None:
        return set()
    old = model.objects.using(using).filter(pk=instance.pk).values(*names).first()
    if old is None:
        return set()
    return {name for name in names if old[name] != getattr(instance, name)}


def _service_saving(
    sender: Any, instance: Service, raw: bool = False, using: str = DEFAULT_DB_ALIAS, **kw: Any
) -> None:
    if raw or not _changed(Service, instance, using, OBJECTIVES):
        return
    _before(instance, using, _service_incidents(instance.pk))


def _type_saving(
    sender: Any, instance: IncidentType, raw: bool = False, using: str = DEFAULT_DB_ALIAS, **kw: Any
) -> None:
    if raw:
        return
    changed = _changed(IncidentType, instance, using, ("expected_rto_minutes",
                                                        "is_partial_degradation"))  # fmt: skip
    if "is_partial_degradation" in changed:
        # Its incidents' outages come or go: the summary and the islands again (rare).
        _before(instance, using, "rebuild")
    elif changed:
        _before(instance, using, _serviceless().filter(incident_type=instance.pk))


def _profile_saving(
    sender: Any,
    instance: OrganisationProfile,
    raw: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    **kw: Any,
) -> None:
    if raw:
        return
    changed = _changed(OrganisationProfile, instance, using, (*OBJECTIVES, "time_zone"))
    if "time_zone" in changed:
        _before(instance, using, "rebuild")
    elif changed:
        _before(instance, using, _serviceless())


def connect() -> None:
    """Keep the summary when what it is measured against changes (from `ready()`)."""
    from django.db.models.signals import post_save, pre_save

    for model, saving in (
        (Service, _service_saving),
        (IncidentType, _type_saving),
        (OrganisationProfile, _profile_saving),
    ):
        pre_save.connect(saving, sender=model, dispatch_uid=f"metric-summary-{model.__name__}")
        post_save.connect(_after, sender=model, dispatch_uid=f"metric-summary-{model.__name__}")


# --- Availability: each service's merged outages ---------------------------------------------

ISLANDS = ServiceOutageIsland._meta.db_table
INCIDENTS = Incident._meta.db_table
TYPES = IncidentType._meta.db_table
# Stands for "not restored" inside the statements (an outage of unknown end).
OPEN_END = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)

OutageKey = tuple[int, str]  # (service, severity or "all")


def _islands_sql(where: str, severity_class: str) -> str:
    """Gaps and islands over the outages the WHERE clause keeps, per service and class,
    each island with the total length and number of the islands before it in its
    partition (plus the parameters `base_seconds` and `base_count`)."""
    length = metrics._seconds_sql("e", "s")
    return f"""
        WITH intervals AS (
            SELECT l.service_id AS service, {severity_class} AS cls,
                COALESCE(i.started_at, i.detected_at) AS s,
                COALESCE(i.restored_at, %s) AS e
            FROM {LINKS} l
            JOIN {INCIDENTS} i ON i.id = l.incident_id
            JOIN {TYPES} t ON t.id = i.incident_type_id
            WHERE t.is_partial_degradation = %s AND {where}
        ),
        marked AS (
            SELECT service, cls, s, e,
                CASE WHEN s <= MAX(e) OVER (
                    PARTITION BY service, cls ORDER BY s, e
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                ) THEN 0 ELSE 1 END AS starts_island
            FROM intervals
        ),
        numbered AS (
            SELECT service, cls, s, e, SUM(starts_island) OVER (
                PARTITION BY service, cls ORDER BY s, e ROWS UNBOUNDED PRECEDING
            ) AS island
            FROM marked
        ),
        islands AS (
            SELECT service, cls, MIN(s) AS s, MAX(e) AS e
            FROM numbered GROUP BY service, cls, island
        ),
        summed AS (
            SELECT service, cls, s, e,
                COALESCE(SUM({length}) OVER (
                    PARTITION BY service, cls ORDER BY s
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                ), 0) AS before_seconds,
                ROW_NUMBER() OVER (PARTITION BY service, cls ORDER BY s) - 1 AS before_count
            FROM islands
        )
        INSERT INTO {ISLANDS} (service, severity, starts_at, ends_at, before_seconds, before_count)
        SELECT service, cls, s, CASE WHEN e = %s THEN NULL ELSE e END,
            %s + before_seconds, %s + before_count
        FROM summed
    """  # noqa: S608  (the only interpolations are our own SQL; values are parameters)


def _islands_recompute(key: OutageKey, since: dt.datetime, using: str) -> None:
    """The islands of one service and class from the one holding (or touching) `since`
    on, again from the outages: the earlier ones cannot have changed."""
    service, severity = key
    rows = ServiceOutageIsland.objects.using(using).filter(service=service, severity=severity)
    first = (
        rows.filter(Q(ends_at__gte=since) | Q(ends_at__isnull=True))
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    since = min(since, first) if first is not None else since
    with connections[using].cursor() as cursor:
        # One statement (a QuerySet's delete() fetches rows first where signals listen).
        cursor.execute(
            f"DELETE FROM {ISLANDS} WHERE service = %s AND severity = %s AND starts_at >= %s",  # noqa: S608
            [service, severity, connections[using].ops.adapt_datetimefield_value(since)],
        )
    last = rows.order_by("-starts_at").first()
    base_seconds = Decimal(0)
    base_count = 0
    if last is not None and last.ends_at is not None:
        base_seconds = last.before_seconds + _seconds(last.ends_at - last.starts_at)
        base_count = last.before_count + 1
    # Not restored before `since`, written so that the restoration index finds them (a
    # COALESCE of the column would read every incident).
    where = "l.service_id = %s AND (i.restored_at >= %s OR i.restored_at IS NULL)"
    ops = connections[using].ops
    open_end = ops.adapt_datetimefield_value(OPEN_END)
    params: list[Any] = [open_end, False, service, ops.adapt_datetimefield_value(since)]
    if severity == ServiceOutageIsland.EVERY_SEVERITY:
        severity_class = "%s"
        params.insert(0, severity)
    else:
        severity_class = "i.severity"
        where += " AND i.severity = %s"
        params.append(severity)
    params += [open_end, base_seconds, base_count]
    with connections[using].cursor() as cursor:
        cursor.execute(_islands_sql(where, severity_class), params)


def islands_rebuild(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Every service's islands again from the outages (every class; idempotent)."""
    open_end = connections[using].ops.adapt_datetimefield_value(OPEN_END)
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {ISLANDS}")  # noqa: S608
        for severity_class, params in (
            ("%s", [ServiceOutageIsland.EVERY_SEVERITY]),
            ("i.severity", []),
        ):
            cursor.execute(
                _islands_sql("1 = 1", severity_class),
                [*params, open_end, False, open_end, Decimal(0), 0],
            )


def _seconds(span: dt.timedelta) -> Decimal:
    return Decimal(span.days * 86_400 + span.seconds) + Decimal(span.microseconds) / 1_000_000


def _outages(incidents: QuerySet[Incident], using: str) -> list[tuple[int, str, dt.datetime, bool]]:
    """(service, severity, onset, restored?) of each outage of these incidents."""
    return [
        (service, severity, started or detected, restored is not None)
        for service, severity, started, detected, restored in IncidentService.objects.using(using)
        .filter(incident__in=incidents, incident__incident_type__is_partial_degradation=False)
        .values_list(
            "service_id",
            "incident__severity",
            "incident__started_at",
            "incident__detected_at",
            "incident__restored_at",
        )
    ]


def _outage_starts(
    outages: list[tuple[int, str, dt.datetime, bool]],
) -> dict[OutageKey, dt.datetime]:
    """The earliest onset per (service, class) the outages belong to."""
    starts: dict[OutageKey, dt.datetime] = {}
    for service, severity, onset, _ in outages:
        for key in ((service, ServiceOutageIsland.EVERY_SEVERITY), (service, severity)):
            starts[key] = min(onset, starts.get(key, onset))
    return starts


def _islands_follow(
    before: list[tuple[int, str, dt.datetime, bool]],
    after: list[tuple[int, str, dt.datetime, bool]],
    using: str,
) -> None:
    """Recompute the islands the changed outages were or are in, from their onsets on."""
    starts = _outage_starts(before)
    for key, onset in _outage_starts(after).items():
        starts[key] = min(onset, starts.get(key, onset))
    for key, onset in starts.items():
        _islands_recompute(key, onset, using)


def _islands_add_open(outages: list[tuple[int, str, dt.datetime, bool]], using: str) -> None:
    """A new incident's outages: nothing to do where an outage not restored already runs
    from before its onset (it takes the new one in); else recompute from its onset."""
    for key, onset in _outage_starts(outages).items():
        covered = ServiceOutageIsland.objects.using(using).filter(
            service=key[0], severity=key[1], ends_at__isnull=True, starts_at__lte=onset
        )
        if all(not restored for *_, restored in outages) and covered.exists():
            continue
        _islands_recompute(key, onset, using)
