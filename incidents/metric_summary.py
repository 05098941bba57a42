"""The upkeep of the DR metrics' monthly summary (`IncidentMetricMonth`): derived data.

The summary holds, per organisation month, severity and service, the sums and counts the
monthly view is made of (`metrics.sums_sql()` over `metrics.per_incident` rows), so the page,
its API, its PDF and the dashboard panel read a few dozen rows instead of aggregating a year
of incidents. It is kept exact by one mechanism used everywhere: before a change, the
changed incidents' contribution (computed by the database from the rows as they stand) is
subtracted; after it, their new contribution is added; rows left with no incident are
dropped. Both happen in the change's own transaction, so a reader never sees a summary that
disagrees with the incidents it has committed.

Who calls it:
- the lifecycle services (`incidents.services.lifecycle`: declare, edit facts, times, type
  and services, move status, severity, re-open), through `incident_declared` and
  `incidents_changing`;
- signals on what the figures are measured against (connected in `IncidentsConfig.ready`):
  a catalogue service's RTO/RPO targets (its incidents), an incident type's expected RTO
  (its incidents without a service), the organisation's objectives (incidents without a
  service) and its time zone (months move: everything is rebuilt);
- `rebuild` (`manage.py rebuild_incident_metrics`, migration 0009, the bench's seeding):
  the whole summary from the incidents, idempotent.

Incidents are never deleted by the portal (no service deletes one; the admin does not); a
deletion made outside the services would leave the summary behind until a rebuild.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Exists, OuterRef, QuerySet

from bcp_portal.catalogue.models import OrganisationProfile, Service
from bcp_portal.core.people import zone_named
from incidents import metrics
from incidents.models import Incident, IncidentService, IncidentType
from incidents.models_metrics import SUM_FIELDS, IncidentMetricMonth

TABLE = IncidentMetricMonth._meta.db_table
LINKS = IncidentService._meta.db_table
OBJECTIVES = ("rto_target_minutes", "rto_max_minutes", "rpo_target_minutes", "rpo_max_minutes")


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
    _add(Incident.objects.filter(pk=incident.pk), 1, using=using)


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
    yield
    _add(incidents, 1, using=using, profile=profile)
    _drop_empty(using)


def incident_changing(incident: Incident) -> Any:
    """`incidents_changing` for one incident."""
    return incidents_changing(Incident.objects.filter(pk=incident.pk))


def rebuild(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """The whole summary again from the incidents (idempotent); how many rows it holds."""
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
    if raw or not _changed(IncidentType, instance, using, ("expected_rto_minutes",)):
        return
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
