"""The dashboard's "Post-mortems due" panel (listed in bcp_portal.dashboard.PANELS).

For everyone who reads post-mortems: restored or closed P0/P1 incidents with no published
post-mortem, and (for the SRE Lead) the reviews waiting for their signature. A fixed
number of queries; hidden (None) from anyone who cannot read post-mortems.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from bcp_portal.core.panels import Panel, panel
from bcp_portal.core.roles import SRE_LEAD, has_role
from bcp_portal.core.typehints import Actor
from incidents import postmortem_selectors as selectors

PANEL_ROWS = 5
STATUS_NOTES = {
    None: "not started",
    "draft": "in draft",
    "in_review": "in review",
    "approved": "approved, not published",
}


@dataclass(frozen=True)
class Row:
    label: str
    note: str
    url: str


def _due_url(user: Actor, pk: int, status: str | None, may_start: bool) -> str:
    """The post-mortem when there is one; else its start page for those who may write one
    (no link for the others: a link shown must work for its reader)."""
    if status:
        return reverse("postmortems:detail", args=[pk])
    return reverse("postmortems:start", args=[pk]) if may_start else ""


@panel(title="Post-mortems due", shown_to=lambda user: user.has_perm("incidents.view_postmortem"))
def postmortems_due_panel(user: Actor) -> Panel | None:
    may_start = user.has_perm("incidents.add_postmortem")
    due = list(
        selectors.postmortems_due().values_list(
            "pk", "reference", "title", "severity", "postmortem__status"
        )[: PANEL_ROWS + 1]
    )
    rows = [
        Row(
            label=f"{reference}: {title}",
            note=f"{severity}, post-mortem {STATUS_NOTES.get(status, status)}",
            url=_due_url(user, pk, status, may_start),
        )
        for pk, reference, title, severity, status in due[:PANEL_ROWS]
    ]
    reviews: list[Row] = []
    if has_role(user, SRE_LEAD):
        reviews = [
            Row(
                label=f"{reference}: {title}",
                note="waiting for your review",
                url=reverse("postmortems:sign", args=[incident_id]),
            )
            for incident_id, reference, title in selectors.reviews_waiting().values_list(
                "incident_id", "incident__reference", "title"
            )[:PANEL_ROWS]
        ]
    return Panel(
        "Post-mortems due",
        "dashboard/postmortems_due_panel.html",
        {
            "rows": rows,
            "more": len(due) > PANEL_ROWS,
            "reviews": reviews,
            "list_url": reverse("postmortems:list"),
        },
    )
