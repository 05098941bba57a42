"""The managers' dashboard panel of DR metrics (`bcp_portal.dashboard.PANELS`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core import roles
from bcp_portal.core.panels import Panel, panel
from bcp_portal.core.people import zone_named
from bcp_portal.core.typehints import Actor
from incidents import metrics


def _manager_reading_incidents(user: Actor) -> bool:
    return roles.has_role(user, *roles.MANAGERS) and user.has_perm("incidents.view_incident")


@panel(title="DR metrics this month", shown_to=_manager_reading_incidents)
def dr_metrics_panel(user: Actor) -> Panel | None:
    """This organisation month's incidents and RTO attainment, for the manager roles (SRE
    Lead, Engineering Manager, CTO): one grouped query (the profile is the dashboard's)."""
    profile = organisation_profile()
    zone = zone_named(profile.time_zone)
    period = metrics.trailing_months(timezone.localdate(timezone=zone), zone, months=1)
    scope = metrics.Scope(period=period)
    (month,) = metrics.months_of(period, metrics.monthly_figures(scope, profile))
    return Panel(
        f"DR metrics this month ({period.label})",
        "dashboard/dr_metrics_panel.html",
        {
            "figures": month.figures,
            "by_severity": sorted(month.by_severity.items()),
            "url": reverse("incidents:metrics"),
        },
    )
