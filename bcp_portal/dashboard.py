"""The dashboard is a list of panels; each app contributes its own.

A panel is a function `(user) -> Panel | None` declared with `bcp_portal.core.panels.panel`
(its title and who sees it; None hides it for that user). Add a dotted path to PANELS and
the dashboard shows it; order here is order on the page.

The page itself is a frame: one box per panel the person sees (`boxes_for`, which asks each
panel's `shown_to` rule and computes nothing), and each box loads its panel from
`/panels/<name>/` (`panel_named`; one route per panel, `panel-<name>`, so the permission
matrix holds who may load each), so the page answers at once and a slow panel delays only
its own box. `<name>` is the function's name without `_panel`, dashed: `my-drills`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.urls import reverse
from django.utils.module_loading import import_string

from bcp_portal.catalogue.selectors import organisation_profile_read_once
from bcp_portal.core.panels import Panel, PanelFunction
from bcp_portal.core.typehints import Actor

PANELS = [
    # Incidents not restored yet (everyone who may read incidents; issue #10).
    "incidents.panels.active_incidents_panel",
    # Regulatory notification clocks (issue #11; the DPO and Legal Counsel).
    "compliance.desk_panels.overdue_provisional_panel",
    "compliance.desk_panels.running_clocks_panel",
    "compliance.desk_panels.submissions_due_panel",
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


def panel_name(path: str) -> str:
    """`drills.selectors.my_drills_panel` -> `my-drills`: the panel's address."""
    return path.rsplit(".", 1)[-1].removesuffix("_panel").replace("_", "-")


def panel_names() -> list[str]:
    """Every panel's name, in order, without importing any (for the URL configuration)."""
    return [panel_name(path) for path in PANELS]


@cache
def _functions() -> dict[str, PanelFunction]:
    """Each panel's name to its function, in PANELS' order (imported once)."""
    functions = {}
    for path in PANELS:
        function = import_string(path)
        if not isinstance(function, PanelFunction):
            raise TypeError(f"{path} is not declared with bcp_portal.core.panels.panel")
        functions[panel_name(path)] = function
    return functions


@dataclass(frozen=True)
class Box:
    """A panel's place on the page before it is computed: its name, title and address."""

    name: str
    title: str

    @property
    def url(self) -> str:
        return reverse(f"panel-{self.name}")


def boxes_for(user: Actor) -> list[Box]:
    """The boxes this person sees, from each panel's rule alone (no panel is computed)."""
    return [
        Box(name, function.title)
        for name, function in _functions().items()
        if function.shown_to(user)
    ]


def panel_named(user: Actor, name: str) -> Panel | None:
    """The panel called `name` computed for this person; None when there is no such panel
    or it is not theirs to see."""
    function = _functions().get(name)
    if function is None:
        return None
    with organisation_profile_read_once():
        return function(user)


def panels_for(user) -> list[Panel]:
    """Every panel computed for this person, in order (what the boxes show once loaded)."""
    result = []
    # Several panels need the organisation's "today": its profile is read once for all.
    with organisation_profile_read_once():
        for function in _functions().values():
            panel = function(user)
            if panel is not None:
                result.append(panel)
    return result
