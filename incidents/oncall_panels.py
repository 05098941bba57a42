"""Dashboard panel of on-call (listed by dotted path in bcp_portal.dashboard.PANELS).

"On call": who is primary and secondary now, the pages waiting for the viewer's
acknowledgement (each with its acknowledgement link: the viewer is the person paged), and
for whoever edits the matrix (the SRE Lead) the notification deadlines missed on open
incidents. Hidden from anyone who may not see the rotation. A fixed number of queries.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from bcp_portal.core.panels import Panel
from bcp_portal.core.typehints import Actor
from incidents import oncall_selectors as selectors
from incidents.acknowledgement import ack_token

PANEL_ROWS = 5


def oncall_panel(user: Actor) -> Panel | None:
    if not user.is_authenticated or not user.has_perm("incidents.view_oncallrotation"):
        return None
    now = timezone.now()
    waiting = list(selectors.pages_awaiting(user)[:PANEL_ROWS])
    missed = (
        list(selectors.missed_notices()[: PANEL_ROWS + 1])
        if user.has_perm("incidents.change_communicationrule")
        else None
    )
    return Panel(
        title="On call",
        template="incidents/oncall_panel.html",
        context={
            "current": selectors.on_call_at(now),
            "waiting": [
                (page, reverse("incidents:page-ack", args=[ack_token(page)])) for page in waiting
            ],
            "missed": (missed or [])[:PANEL_ROWS],
            "show_missed": missed is not None,
            "more_missed": missed is not None and len(missed) > PANEL_ROWS,
            "oncall_url": reverse("incidents:oncall"),
        },
    )
