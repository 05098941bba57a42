"""Dashboard panels of runbooks (listed by dotted path in bcp_portal.dashboard.PANELS).

"Waiting for your approval" shows to anyone whose role the approval matrix names (or who has
something waiting from before a matrix edit);
"Reviews due" to the roles that record reviews. Each is hidden (None) from anyone else and
shows an empty state when there is nothing to do. Each costs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.urls import reverse

from bcp_portal.catalogue.selectors import organisation_today
from bcp_portal.core.links import detail_url
from bcp_portal.core.panels import Panel
from bcp_portal.core.roles import user_roles
from bcp_portal.core.typehints import Actor
from compliance import selectors
from compliance.models import SIGNING_ROLES, ChangeType, RunbookDocument
from compliance.signables import REVIEW_ROLES

PANEL_ROWS = 5
REVIEW_DUE_DAYS = 14
PERM_VIEW = "compliance.view_runbookversion"


@dataclass(frozen=True)
class WaitingChange:
    title: str
    label: str
    change_type: str
    roles: tuple[str, ...]
    submitted_at: datetime | None
    url: str


@dataclass(frozen=True)
class DueReview:
    document: RunbookDocument
    next_review: date
    overdue: bool
    url: str


def approvals_panel(user: Actor) -> Panel | None:
    """The changes in review that wait for one of the user's roles (oldest first).

    One read of what waits (selectors.approvals_waiting, narrowed to the few columns the
    panel shows) gives both the count and the first PANEL_ROWS changes with their roles:
    the waiting set, with its "not yet approved" subqueries, is computed once."""
    if not set(SIGNING_ROLES) & user_roles(user) or not user.has_perm(PERM_VIEW):
        return None
    waiting = selectors.approvals_waiting(user).values_list(
        "change_id",
        "role",
        "change__version__document__doc_id",
        "change__version__document__title",
        "change__version__label",
        "change__change_type",
        "change__submitted_at",
    )
    changes: dict[int, WaitingChange] = {}
    seen: set[int] = set()
    for change_id, role, doc_id, title, label, change_type, submitted_at in waiting:
        if change_id in changes:
            item = changes[change_id]
            changes[change_id] = replace(item, roles=(*item.roles, role))
        elif change_id not in seen and len(changes) < PANEL_ROWS:
            changes[change_id] = WaitingChange(
                title=f"{doc_id} {title}",
                label=label,
                change_type=ChangeType(change_type).label,
                roles=(role,),
                submitted_at=submitted_at,
                url=detail_url("compliance:change-sign", change_id),
            )
        seen.add(change_id)
    count = len(seen)
    if not count and not selectors.approver_roles() & user_roles(user):
        # No rule of the matrix asks for any of the user's roles (an SRE, by default).
        return None
    return Panel(
        "Waiting for your approval",
        "dashboard/runbook_approvals_panel.html",
        {
            "count": count,
            "changes": list(changes.values()),
            "more": count > len(changes),
            "inbox_url": reverse("compliance:approvals"),
        },
    )


def reviews_due_panel(user: Actor) -> Panel | None:
    """Published runbooks whose review is overdue or due within REVIEW_DUE_DAYS."""
    if not set(REVIEW_ROLES) & user_roles(user) or not user.has_perm(PERM_VIEW):
        return None
    today = organisation_today()
    documents = list(
        selectors.reviews_due(today, within_days=REVIEW_DUE_DAYS).only(
            "doc_id", "title", "next_review"
        )[: PANEL_ROWS + 1]
    )
    rows = [
        DueReview(
            document=d,
            next_review=d.next_review,
            overdue=d.next_review < today,
            url=detail_url("compliance:document-detail", d.pk),
        )
        for d in documents[:PANEL_ROWS]
    ]
    return Panel(
        "Reviews due",
        "dashboard/runbook_reviews_panel.html",
        {
            "rows": rows,
            "more": len(documents) > PANEL_ROWS,
            "days": REVIEW_DUE_DAYS,
            "list_url": f"{reverse('compliance:document-list')}?state=review_due",
            "today": today,
            "soon": today + timedelta(days=REVIEW_DUE_DAYS),
        },
    )
