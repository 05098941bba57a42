"""The dashboard's notification clock panels (listed in bcp_portal.dashboard.PANELS).

For the DPO and Legal Counsel (`desk_selectors.sees_clock_panels`): "Running clocks" (the
open obligations with a due time, soonest first), "Submissions due" (open obligations whose
clock has started, including those with no fixed period) and "Overdue and provisional".
Each reads PANEL_ROWS + 1 rows through the desk's index order (one query) and shows an
empty state when there is nothing; hidden (None) from anyone else.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from bcp_portal.core.panels import Panel, panel
from bcp_portal.core.typehints import Actor
from compliance import desk_selectors
from compliance.desk_selectors import sees_clock_panels

PANEL_ROWS = 5
TEMPLATE = "compliance/desk_panel.html"


def _panel(title: str, rows: list[Any], *, empty: str, list_query: str) -> Panel:
    now = timezone.now()
    return Panel(
        title,
        TEMPLATE,
        {
            "clocks": desk_selectors.clocks(rows[:PANEL_ROWS], now),
            "more": len(rows) > PANEL_ROWS,
            "empty": empty,
            "list_url": reverse("regulatory:desk") + list_query,
        },
    )


@panel(title="Running clocks", shown_to=sees_clock_panels)
def running_clocks_panel(user: Actor) -> Panel | None:
    return _panel(
        "Running clocks",
        desk_selectors.running_clocks(PANEL_ROWS + 1),
        empty="No notification clock is running.",
        list_query="",
    )


@panel(title="Submissions due", shown_to=sees_clock_panels)
def submissions_due_panel(user: Actor) -> Panel | None:
    return _panel(
        "Submissions due",
        desk_selectors.submissions_due(PANEL_ROWS + 1),
        empty="No notification is due.",
        list_query="?due=1",
    )


@panel(title="Overdue and provisional clocks", shown_to=sees_clock_panels)
def overdue_provisional_panel(user: Actor) -> Panel | None:
    return _panel(
        "Overdue and provisional clocks",
        desk_selectors.overdue_and_provisional(timezone.now(), PANEL_ROWS + 1),
        empty="No clock is overdue or provisional.",
        list_query="",
    )
