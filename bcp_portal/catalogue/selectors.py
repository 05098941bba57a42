from __future__ import annotations

import contextlib
import contextvars
import zoneinfo
from collections.abc import Iterator
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from bcp_portal.catalogue.models import (
    CompetentAuthority,
    LegalEntity,
    OrganisationProfile,
    Service,
)
from bcp_portal.core.history import Change, field_changes, newest_first
from bcp_portal.core.panels import Panel, panel
from bcp_portal.core.people import zone_named
from bcp_portal.core.typehints import Actor


def service_list(
    *,
    user: Actor,
    search: str = "",
    kind: str = "",
    priority: str = "",
    include_inactive: bool = False,
) -> QuerySet[Service]:
    qs = filter_services(
        Service.objects.all(),
        search=search,
        kind=kind,
        priority=priority,
        include_inactive=include_inactive,
    )
    return qs.order_by("recovery_priority", "name")


def filter_services(
    qs: QuerySet[Service],
    *,
    search: str = "",
    kind: str = "",
    priority: str = "",
    include_inactive: bool = False,
) -> QuerySet[Service]:
    """Validated filters (`bcp_portal.catalogue.filters.ServiceFilterSet` parses them);
    retired entries only with `include_inactive`."""
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(description__icontains=search)
            | Q(owner_team__icontains=search)
            | Q(region__icontains=search)
            | Q(data_category__icontains=search)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if priority:
        qs = qs.filter(recovery_priority=priority)
    return qs


@panel(title="Service catalogue", shown_to=lambda user: user.has_perm("catalogue.view_service"))
def catalogue_panel(user: Actor) -> Panel | None:
    rows = (
        Service.objects.filter(is_active=True)
        .values("recovery_priority")
        .annotate(n=Count("pk"))
        .order_by("recovery_priority")
    )
    return Panel("Service catalogue", "dashboard/catalogue_panel.html", {"by_priority": list(rows)})


# Set by `organisation_profile_read_once`: the profile read in that block, once read.
_read_once: contextvars.ContextVar[list[OrganisationProfile] | None] = contextvars.ContextVar(
    "bcp_organisation_profile_read_once", default=None
)


@contextlib.contextmanager
def organisation_profile_read_once() -> Iterator[None]:
    """Inside the block, `organisation_profile()` reads the row once and answers the same
    row after: for a page that only reads and asks several times (the dashboard, whose
    overview panels each need the organisation's "today"). Nothing written in the block
    would be seen, so no write happens inside one."""
    token = _read_once.set([])
    try:
        yield
    finally:
        _read_once.reset(token)


def organisation_profile() -> OrganisationProfile:
    """The single profile row; a fresh install gets the runbook's recovery objectives."""
    held = _read_once.get()
    if held:
        return held[0]
    profile = OrganisationProfile.objects.order_by("pk").first()
    if profile is None:
        profile = OrganisationProfile.objects.create()
    if held is not None:
        held.append(profile)
    return profile


def organisation_zone() -> zoneinfo.ZoneInfo:
    """The organisation's time zone (its profile's; UTC if unknown).

    The one answer to "what day is it" for organisation-wide work: action and drill
    reminders, drill generation, quarters and the drill pages' "today".
    """
    return zone_named(organisation_profile().time_zone)


def organisation_today(now: datetime | None = None) -> date:
    """Today's date in the organisation's time zone (at `now`, default the current time)."""
    return timezone.localdate(now or timezone.now(), timezone=organisation_zone())


def service_history(service: Service, *, limit: int = 30) -> list[Change]:
    """Who changed what on a service (the newest `limit` changes), newest first."""
    return newest_first(field_changes(service.history.all(), limit=limit))


def legal_entities() -> QuerySet[LegalEntity]:
    """The organisation's legal entities, active first, by name."""
    return LegalEntity.objects.order_by("-is_active", "name")


def competent_authorities() -> QuerySet[CompetentAuthority]:
    """The authorities the organisation notifies, active first, by jurisdiction and name."""
    return CompetentAuthority.objects.order_by("-is_active", "jurisdiction", "name")
