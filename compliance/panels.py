"""Dashboard panels of runbooks (listed by dotted path in bcp_portal.dashboard.PANELS).

"Waiting for your approval" shows to anyone whose role the approval matrix names (or who has
something waiting from before a matrix edit);
"Reviews due" to the roles that record reviews. Each is hidden (None) from anyone else and
shows an empty state when there is nothing to do. Each costs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Subquery, Window
from django.urls import reverse

from bcp_portal.catalogue.selectors import organisation_today
from bcp_portal.core.links import detail_url
from bcp_portal.core.panels import Panel, panel
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


def _signs_runbooks(user: Actor) -> bool:
    """Who sees "Waiting for your approval": a signer whose role the approval matrix names,
    or who has something waiting from before a matrix edit (not an SRE, by default)."""
    # The permission first: its query brings the roles along (user_roles then reads none).
    if not user.has_perm(PERM_VIEW) or not set(SIGNING_ROLES) & user_roles(user):
        return False
    return bool(selectors.approver_roles() & user_roles(user)) or (
        selectors.changes_waiting(user).exists()
    )


def _reviews_runbooks(user: Actor) -> bool:
    return bool(set(REVIEW_ROLES) & user_roles(user)) and user.has_perm(PERM_VIEW)


@panel(title="Waiting for your approval", shown_to=_signs_runbooks)
def approvals_panel(user: Actor) -> Panel | None:
    """The changes in review that wait for one of the user's roles (oldest first).

    One read of what waits (selectors.changes_waiting, narrowed to the few columns the
    panel shows) gives both the count and the first PANEL_ROWS changes with their roles:
    the database counts the waiting changes (COUNT(*) OVER (), before the LIMIT) and
    returns only the rows shown, each with the position of every role of the user that it
    still wants (NULL where it does not), instead of every waiting row (an SRE Lead asked
    for a change of each of 1,000 runbooks would read 1,000 rows to show five)."""
    held = sorted(user_roles(user))
    positions = {
        f"role_{i}": Subquery(selectors.roles_wanted([role]).order_by().values("position")[:1])
        for i, role in enumerate(held)
    }
    rows = (
        selectors.changes_waiting(user)
        .annotate(total=Window(Count("*")), **positions)
        .order_by("submitted_at", "pk")
        .values_list(
            "pk",
            "version__document__doc_id",
            "version__document__title",
            "version__label",
            "change_type",
            "submitted_at",
            "total",
            *positions,
        )[:PANEL_ROWS]
    )
    changes = []
    count = 0  # every row carries the number of changes waiting
    for change_id, doc_id, title, label, change_type, submitted_at, total, *at in rows:
        count = total
        wanted = sorted((p, role) for p, role in zip(at, held, strict=True) if p is not None)
        changes.append(
            WaitingChange(
                title=f"{doc_id} {title}",
                label=label,
                change_type=ChangeType(change_type).label,
                roles=tuple(role for _, role in wanted),
                submitted_at=submitted_at,
                url=detail_url("compliance:change-sign", change_id),
            )
        )
    # Whoever gets here is asked by the matrix or has something waiting (_signs_runbooks).
    return Panel(
        "Waiting for your approval",
        "dashboard/runbook_approvals_panel.html",
        {
            "count": count,
            "changes": changes,
            "more": count > len(changes),
            "inbox_url": reverse("compliance:approvals"),
        },
    )


@panel(title="Reviews due", shown_to=_reviews_runbooks)
def reviews_due_panel(user: Actor) -> Panel | None:
    """Published runbooks whose review is overdue or due within REVIEW_DUE_DAYS."""
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
