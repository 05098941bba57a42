"""Reads of incidents shared by the pages, the API and the dashboard panel.

Every list selects its related rows up front (the type in the same query, the services as a
plain list), so a page of 2 incidents and a page of 30 cost the same number of queries.
Filters take values `incidents.filters.IncidentFilterSet` has already parsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q, QuerySet

from bcp_portal.catalogue.models import Service
from bcp_portal.catalogue.selectors import organisation_profile, organisation_zone
from bcp_portal.core.history import Change, field_changes, newest_first
from bcp_portal.core.typehints import Actor
from incidents.models import Incident, IncidentType, TimelineEntry

# Where the lists put each incident's services (a list, by name), not a related manager.
SERVICE_LIST = "service_list"
RESPONDER_LIST = "responder_list"
PANEL_ROWS = 6
# The columns a list row shows (the rest of the incident stays in the database).
LIST_COLUMNS = (
    "pk",
    "reference",
    "title",
    "severity",
    "status",
    "detected_at",
    "restored_at",
    "started_at",
    "business_impact",
    "incident_type__name",
    "commander",
)


def may_view(user: Actor) -> bool:
    return user.has_perm("incidents.view_incident")


def filter_incidents(
    qs: QuerySet[Incident],
    *,
    status: str = "",
    severity: str = "",
    service: int | None = None,
    incident_type: str = "",
    detected_from: date | None = None,
    detected_to: date | None = None,
    open_only: bool | None = None,
    search: str = "",
) -> QuerySet[Incident]:
    """Validated filters: `incident_type` a type key, `service` a service id, the period as
    days in the organisation's time zone (both ends included)."""
    if status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity=severity)
    if service:
        qs = qs.filter(service_links__service_id=service)
    if incident_type:
        qs = qs.filter(incident_type__key=incident_type)
    if detected_from or detected_to:
        zone = organisation_zone()
        if detected_from:
            qs = qs.filter(detected_at__gte=datetime.combine(detected_from, time(), zone))
        if detected_to:
            end = datetime.combine(detected_to + timedelta(days=1), time(), zone)
            qs = qs.filter(detected_at__lt=end)
    if open_only:
        qs = qs.exclude(status=Incident.Status.CLOSED)
    if search:
        qs = qs.filter(
            Q(reference__icontains=search)
            | Q(title__icontains=search)
            | Q(description__icontains=search)
        )
    return qs


def incident_list(*, user: Actor) -> QuerySet[Incident]:
    """The incidents the user may see, newest detected first, ready for a list page."""
    if not may_view(user):
        return Incident.objects.none()
    return (
        Incident.objects.select_related("incident_type", "commander")
        .only(
            *LIST_COLUMNS,
            "incident_type__key",
            "commander__first_name",
            "commander__last_name",
            "commander__username",
        )
        .prefetch_related(
            Prefetch(
                "services",
                queryset=Service.objects.only("pk", "name").order_by("name"),
                to_attr=SERVICE_LIST,
            )
        )
        .order_by("-detected_at", "-pk")
    )


def incident_api_queryset(*, user: Actor) -> QuerySet[Incident]:
    """Every column, with services and responders as lists: what the API writes out."""
    if not may_view(user):
        return Incident.objects.none()
    return (
        Incident.objects.select_related("incident_type", "commander")
        .prefetch_related(
            Prefetch("services", queryset=Service.objects.order_by("name"), to_attr=SERVICE_LIST),
            Prefetch(
                "responders",
                queryset=User.objects.order_by("first_name", "last_name", "pk"),
                to_attr=RESPONDER_LIST,
            ),
        )
        .order_by("-detected_at", "-pk")
    )


def incident_detail(*, user: Actor, pk: int) -> Incident | None:
    """One incident with its services, responders and timeline (owners) prefetched."""
    if not may_view(user):
        return None
    return (
        Incident.objects.select_related("incident_type", "commander", "created_by", "postmortem")
        .prefetch_related(
            Prefetch("services", queryset=Service.objects.order_by("name"), to_attr=SERVICE_LIST),
            Prefetch(
                "responders",
                queryset=User.objects.order_by("first_name", "last_name", "pk"),
                to_attr=RESPONDER_LIST,
            ),
            Prefetch(
                "timeline",
                queryset=TimelineEntry.objects.select_related("owner").order_by("at", "pk"),
                to_attr="timeline_list",
            ),
        )
        .filter(pk=pk)
        .first()
    )


def timeline_entries(*, user: Actor, incident: Incident) -> QuerySet[TimelineEntry]:
    if not user.has_perm("incidents.view_timelineentry"):
        return TimelineEntry.objects.none()
    return (
        TimelineEntry.objects.filter(incident=incident).select_related("owner").order_by("at", "pk")
    )


def incident_history(incident: Incident) -> list[Change]:
    """Who changed what on the incident, newest first, in the same queries whatever its length."""
    return newest_first(field_changes(incident.history.all(), excluded=["updated_at"]))


def active_incidents(*, user: Actor) -> QuerySet[Incident]:
    """Not restored yet, most severe first, then the newest."""
    if not may_view(user):
        return Incident.objects.none()
    return (
        Incident.objects.active()
        .only("pk", "reference", "title", "severity", "status", "detected_at")
        .order_by("severity", "-detected_at", "-pk")
    )


def incident_types(*, user: Actor) -> QuerySet[IncidentType]:
    if not user.has_perm("incidents.view_incidenttype"):
        return IncidentType.objects.none()
    return IncidentType.objects.order_by("name")


def service_choices() -> QuerySet[Service]:
    return Service.objects.only("pk", "name").order_by("name")


# --- Derived figures against the targets --------------------------------------------------

WITHIN_TARGET = "within target"
WITHIN_MAX = "within max tolerable"
OVER = "over"
UNKNOWN = "unknown"


def verdict(actual: int | None, target: int | None, maximum: int | None) -> str:
    """Where `actual` minutes stand against a target and a maximum tolerable."""
    if actual is None or target is None:
        return UNKNOWN
    if actual <= target:
        return WITHIN_TARGET
    if maximum is not None and actual <= maximum:
        return WITHIN_MAX
    return OVER


@dataclass(frozen=True)
class Comparison:
    label: str
    target: int | None
    maximum: int | None
    verdict: str


@dataclass(frozen=True)
class Objectives:
    rto_actual: int | None
    rpo_actual: int | None
    time_to_detect: int | None
    time_to_acknowledge: int | None
    rto: list[Comparison]
    rpo: list[Comparison]


def _minutes(delta: timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds() // 60)


def incident_objectives(incident: Incident, services: list[Service]) -> Objectives:
    """The actual RTO and RPO against each affected service's targets and the type's
    expected RTO (else the organisation's target); RPO "unknown" while it is blank."""
    profile = organisation_profile()
    rto_actual = incident.rto_actual_minutes
    rpo_actual = incident.rpo_actual_minutes
    rto = [
        Comparison(
            s.name,
            s.rto_target_minutes,
            s.rto_max_minutes,
            verdict(rto_actual, s.rto_target_minutes, s.rto_max_minutes),
        )
        for s in services
    ]
    expected = incident.incident_type.expected_rto_minutes
    if expected is not None:
        rto.append(
            Comparison(
                f"Type: {incident.incident_type.name}",
                expected,
                None,
                verdict(rto_actual, expected, None),
            )
        )
    else:
        rto.append(
            Comparison(
                "Organisation target",
                profile.rto_target_minutes,
                profile.rto_max_minutes,
                verdict(rto_actual, profile.rto_target_minutes, profile.rto_max_minutes),
            )
        )
    rpo = [
        Comparison(
            s.name,
            s.rpo_target_minutes,
            s.rpo_max_minutes,
            verdict(rpo_actual, s.rpo_target_minutes, s.rpo_max_minutes),
        )
        for s in services
    ] or [
        Comparison(
            "Organisation target",
            profile.rpo_target_minutes,
            profile.rpo_max_minutes,
            verdict(rpo_actual, profile.rpo_target_minutes, profile.rpo_max_minutes),
        )
    ]
    return Objectives(
        rto_actual=rto_actual,
        rpo_actual=rpo_actual,
        time_to_detect=_minutes(incident.time_to_detect),
        time_to_acknowledge=_minutes(incident.time_to_acknowledge),
        rto=rto,
        rpo=rpo,
    )
