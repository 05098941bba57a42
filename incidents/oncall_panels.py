"""Dashboard panel of on-call (listed by dotted path in bcp_portal.dashboard.PANELS).

"On call": who is primary and secondary now, the pages waiting for the viewer's
acknowledgement (each with its acknowledgement link: the viewer is the person paged), and
for whoever edits the matrix (the SRE Lead) the notification deadlines missed on open
incidents. Hidden from anyone who may not see the rotation. A fixed number of queries.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from bcp_portal.core.panels import Panel, panel
from bcp_portal.core.typehints import Actor
from incidents import oncall_selectors as selectors
from incidents.acknowledgement import ack_token

PANEL_ROWS = 5


@panel(title="On call", shown_to=lambda user: user.has_perm("incidents.view_oncallrotation"))
def oncall_panel(user: Actor) -> Panel | None:
    now = timezone.now()
    # `panel` lets in only a signed-in person (PanelFunction.shown_to).
    waiting = list(selectors.pages_awaiting(cast(User, user))[:PANEL_ROWS])
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
