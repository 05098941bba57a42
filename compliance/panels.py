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
from compliance.models import SIGNING_ROLES, RunbookDocument
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
    """The changes in review that wait for one of the user's roles (oldest first)."""
    if not set(SIGNING_ROLES) & user_roles(user) or not user.has_perm(PERM_VIEW):
        return None
    count = selectors.approvals_waiting_count(user)
    if not count and not selectors.approver_roles() & user_roles(user):
        # No rule of the matrix asks for any of the user's roles (an SRE, by default).
        return None
    rows = list(selectors.approvals_waiting(user)[: PANEL_ROWS * len(SIGNING_ROLES)])
    changes: dict[int, WaitingChange] = {}
    for row in rows:
        change = row.change
        if change.pk in changes:
            item = changes[change.pk]
            changes[change.pk] = replace(item, roles=(*item.roles, row.role))
            continue
        if len(changes) == PANEL_ROWS:
            break
        version = change.version
        changes[change.pk] = WaitingChange(
            title=f"{version.document.doc_id} {version.document.title}",
            label=version.label,
            change_type=change.get_change_type_display(),
            roles=(row.role,),
            submitted_at=change.submitted_at,
            url=detail_url("compliance:change-sign", change.pk),
        )
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
