"""The dashboard's "Active incidents" panel (listed in bcp_portal.dashboard.PANELS).

Shown to everyone who may read incidents: the incidents not restored yet, most severe first,
with their count. Two queries whatever the number of incidents (the rows, and the count,
which reads the status index).
"""

from __future__ import annotations

from bcp_portal.core.panels import Panel, panel
from bcp_portal.core.typehints import Actor
from incidents import selectors

PANEL_ROWS = selectors.PANEL_ROWS


@panel(title="Active incidents", shown_to=selectors.may_view)
def active_incidents_panel(user: Actor) -> Panel | None:
    active = selectors.active_incidents(user=user)
    rows = list(active[:PANEL_ROWS])
    count = active.order_by().values("pk").count()
    return Panel(
        "Active incidents",
        "incidents/dashboard_panel.html",
        {
            "incidents": rows,
            "count": count,
            "more": count > PANEL_ROWS,
            "can_declare": user.has_perm("incidents.add_incident"),
        },
    )
