"""The dashboard is a list of panels; each app contributes its own.

A panel is a function `(user) -> Panel | None` (None hides it for that user). Add a dotted
path to PANELS and the dashboard shows it; order here is order on the page.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

from bcp_portal.catalogue.selectors import organisation_profile_read_once
from bcp_portal.core.panels import Panel

PANELS = [
    # Incidents not restored yet (everyone who may read incidents; issue #10).
    "incidents.panels.active_incidents_panel",
    # Runbook approvals (anyone who signs) and reviews due (the reviewing roles).
    "compliance.panels.approvals_panel",
    "compliance.panels.reviews_due_panel",
    "drills.selectors.my_drills_panel",
    "bcp_portal.actions.selectors.my_actions_panel",
    # The managers' overview (SRE Lead, Engineering Manager, CTO; hidden from others).
    "drills.overview.drills_this_quarter_panel",
    "drills.overview.overdue_actions_panel",
    "drills.overview.rto_rpo_misses_panel",
    "drills.overview.unexercised_services_panel",
    # DR metrics this month (the manager roles).
    "incidents.metric_panels.dr_metrics_panel",
    "bcp_portal.catalogue.selectors.catalogue_panel",
    "bcp_portal.core.selectors.outbox_panel",
    # Incidents (issue #10): on call now, pages waiting for you, missed notice deadlines.
    "incidents.oncall_panels.oncall_panel",
    # Notifications no channel could deliver (the SRE Lead).
    "bcp_portal.core.channels.selectors.failing_deliveries_panel",
    # Post-mortems due (restored P0/P1 without a published one) and reviews to sign.
    "incidents.postmortem_panels.postmortems_due_panel",
]


def panels_for(user) -> list[Panel]:
    result = []
    # Several panels need the organisation's "today": its profile is read once for all.
    with organisation_profile_read_once():
        for path in PANELS:
            panel = import_string(path)(user)
            if panel is not None:
                result.append(panel)
    return result
