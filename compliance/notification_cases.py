"""An incident as the deadline engine reads it: the stored rows turned into a `types.Case`.

The engine is plain Python over dated facts (`compliance.deadlines`); this module is the one
place that reads the database for it: the incident (detection, type, severity, the personal
and payment data flags, users affected, the outage), the organisation's active legal
entities, the incident's recorded facts and the first and latest submission of each stage. Four
queries, whatever the number of facts, entities or submissions.

An incident is an outage (as the DR metrics count them: one outage per affected service) when
its type is not a partial degradation and it has at least one affected service. It runs from
the onset (else detection) to the restore time; while the service is not restored the case
carries the minutes so far (now - start) with `outage_ongoing`, so a rule on a longer outage
starts once the threshold is crossed (the sweep evaluates running outages again each run:
`notification_reminders.obligations_sweep`). The engine words a running outage without its
changing length, and its clock runs from start + threshold, so evaluating it again as it runs
on writes nothing. Whether it has affected services is read with the incident (one `exists`
query more when the caller has read the incident already).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, Max, Min, OuterRef
from django.utils import timezone

from bcp_portal.catalogue.models import LegalEntity
from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core.people import zone_named
from compliance.deadlines import types
from compliance.models_notifications import IncidentFact, Submission
from incidents.models import Incident, IncidentService


def entity_of(row: LegalEntity) -> types.Entity:
    return types.Entity(
        name=row.name,
        jurisdictions=frozenset(row.jurisdictions or ()),
        statuses=frozenset(row.statuses or ()),
        holiday_calendars=tuple(row.holiday_calendars or ()),
        time_zone=row.time_zone or "UTC",
    )


def active_entities() -> tuple[types.Entity, ...]:
    """The organisation's active legal entities, in name order (one query)."""
    return tuple(entity_of(row) for row in LegalEntity.objects.filter(is_active=True))


def fact_moment(fact: IncidentFact) -> dt.datetime | None:
    """A dated fact's instant in the zone it was stated in (the engine reads both)."""
    if fact.occurred_at is None:
        return None
    return fact.occurred_at.astimezone(zone_named(fact.time_zone))


def outage_of(
    incident: Incident, *, has_services: bool, now: dt.datetime
) -> tuple[dt.datetime | None, int | None, bool]:
    """(start, minutes, ongoing) of the incident's outage; while not restored, the minutes so
    far at `now` and ongoing True.

    A partial degradation, or an incident with no affected service, is not an outage (as the
    DR metrics count them): no start, no length.
    """
    if incident.incident_type.is_partial_degradation or not has_services:
        return None, None, False
    start = incident.started_at or incident.detected_at
    end, ongoing = (now, True) if incident.restored_at is None else (incident.restored_at, False)
    return start, max(0, int((end - start).total_seconds() // 60)), ongoing


def case_from_rows(
    incident: Incident,
    *,
    has_services: bool,
    now: dt.datetime,
    time_zone: str,
    entities: tuple[types.Entity, ...],
    facts: Iterable[IncidentFact],
    submissions: dict[str, dt.datetime],
    latest_submissions: dict[str, dt.datetime] | None = None,
) -> types.Case:
    """The Case of an incident whose related rows the caller has read."""
    dated: dict[str, dt.datetime] = {types.DETECTION: incident.detected_at}
    gdpr_risk: str | None = None
    persons: dict[str, int] = {}
    for fact in facts:
        if fact.kind == IncidentFact.GDPR_RISK:
            gdpr_risk = fact.value or None
        elif fact.kind == IncidentFact.PERSONS_AFFECTED:
            if fact.region and fact.count is not None:
                persons[fact.region] = fact.count
        else:
            moment = fact_moment(fact)
            if moment is not None:
                dated[fact.kind] = moment
    outage_start, outage_minutes, outage_ongoing = outage_of(
        incident, has_services=has_services, now=now
    )
    return types.Case(
        reference=incident.reference,
        time_zone=time_zone,
        entities=entities,
        incident_type=incident.incident_type.key,
        severity=incident.severity,
        involves_personal_data=incident.involves_personal_data,
        involves_payment_data=incident.involves_payment_data,
        affected_users=incident.affected_users,
        outage_started_at=outage_start,
        outage_minutes=outage_minutes,
        outage_ongoing=outage_ongoing,
        dated=dated,
        gdpr_risk=gdpr_risk,
        persons_affected=persons,
        submissions=submissions,
        latest_submissions=latest_submissions or {},
    )


def stage_submissions(
    incident: Incident,
) -> tuple[dict[str, dt.datetime], dict[str, dt.datetime]]:
    """ "<regime>/<stage>" -> the first, and -> the latest, submission made for that stage."""
    rows = (
        Submission.objects.filter(obligation__incident=incident)
        .values("obligation__regime_key", "obligation__stage_key")
        .annotate(first=Min("submitted_at"), last=Max("submitted_at"))
        .order_by()
    )
    first: dict[str, dt.datetime] = {}
    latest: dict[str, dt.datetime] = {}
    for row in rows:
        key = f"{row['obligation__regime_key']}/{row['obligation__stage_key']}"
        first[key], latest[key] = row["first"], row["last"]
    return first, latest


@dataclass(frozen=True)
class Organisation:
    """What every incident's case shares: the organisation's zone and its active entities.
    Read once for a batch (the sweep, a regime change) rather than once per incident."""

    time_zone: str
    entities: tuple[types.Entity, ...]


def organisation_now() -> Organisation:
    return Organisation(
        time_zone=organisation_profile().time_zone or "UTC", entities=active_entities()
    )


def case_for_incident(
    incident: Incident, *, now: dt.datetime | None = None, organisation: Organisation | None = None
) -> types.Case:
    """The engine's view of a stored incident at `now` (default: the clock), its type and
    whether it has affected services read with it if not already."""
    organisation = organisation or organisation_now()
    if "incident_type" not in incident._state.fields_cache:
        incident = (
            Incident.objects.select_related("incident_type")
            .annotate(has_services=Exists(IncidentService.objects.filter(incident=OuterRef("pk"))))
            .get(pk=incident.pk)
        )
    has_services = getattr(incident, "has_services", None)
    if has_services is None:
        has_services = IncidentService.objects.filter(incident=incident).exists()
    first, latest = stage_submissions(incident)
    return case_from_rows(
        incident,
        has_services=has_services,
        now=now or timezone.now(),
        time_zone=organisation.time_zone,
        entities=organisation.entities,
        facts=IncidentFact.objects.filter(incident=incident),
        submissions=first,
        latest_submissions=latest,
    )
