"""Reads of runbooks shared by the pages, the API, the dashboard panels and the tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet

from bcp_portal.core.models import SignOff
from bcp_portal.core.roles import user_roles
from bcp_portal.core.typehints import Actor
from compliance.models import (
    ApprovalRule,
    ChangeRequest,
    RequiredApproval,
    RunbookDocument,
    RunbookVersion,
)

# The document list's "status" filter: what a reader asks of a runbook.
DOCUMENT_STATES = (
    ("review_due", "Review due"),
    ("change_open", "Change open"),
    ("in_review", "Change in review"),
    ("unpublished", "Nothing published"),
)


def _valid_approvals() -> QuerySet[SignOff]:
    return SignOff.objects.filter(
        subject_type=ContentType.objects.get_for_model(ChangeRequest),
        voided_at__isnull=True,
        decision=SignOff.Decision.APPROVE,
    )


def change_approvals(change_ids: Iterable[int]) -> QuerySet[SignOff]:
    """The valid approvals of these changes with their signers: one query for a page."""
    return _valid_approvals().filter(subject_id__in=list(change_ids)).select_related("signer")


def approvals_waiting(user: Actor) -> QuerySet[RequiredApproval]:
    """The roles `user` could fill now on changes in review: they hold the role, it has no
    valid approval yet, they did not write the change and have not approved it in another
    role. Oldest submission first. One query, whatever the number of changes."""
    roles = user_roles(user)
    if not roles:
        return RequiredApproval.objects.none()
    approvals = _valid_approvals()
    return (
        RequiredApproval.objects.filter(
            role__in=roles, change__version__status=RunbookVersion.Status.IN_REVIEW
        )
        .exclude(change__author_id=user.pk)
        .exclude(Exists(approvals.filter(subject_id=OuterRef("change_id"), role=OuterRef("role"))))
        .exclude(Exists(approvals.filter(subject_id=OuterRef("change_id"), signer_id=user.pk)))
        .select_related("change__version__document", "change__author")
        .order_by("change__submitted_at", "change_id", "position")
    )


def roles_wanted(roles: Iterable[str]) -> QuerySet[RequiredApproval]:
    """The required approvals of `roles` on the change OuterRef("pk") that have no valid
    approval yet (a subquery of a ChangeRequest query)."""
    approved = _valid_approvals().filter(subject_id=OuterRef("change_id"), role=OuterRef("role"))
    return RequiredApproval.objects.filter(change_id=OuterRef("pk"), role__in=list(roles)).exclude(
        Exists(approved)
    )


def changes_waiting(user: Actor) -> QuerySet[ChangeRequest]:
    """The changes of `approvals_waiting(user)`: in review, not written by `user`, not
    approved by them in any role, with a role they hold still unapproved. The same rows as
    `ChangeRequest.objects.filter(pk__in=approvals_waiting(user).values("change_id"))`,
    read from the change's side: its own version and author filter it directly, so a page
    that joins the change's version, document and author stays within the joins PostgreSQL
    reorders (join_collapse_limit, 8); through `pk__in` it read every change and version
    (a hash join of 20,000 rows each) before finding the 1,000 in review."""
    roles = user_roles(user)
    if not roles:
        return ChangeRequest.objects.none()
    mine = _valid_approvals().filter(subject_id=OuterRef("pk"), signer_id=user.pk)
    return (
        ChangeRequest.objects.filter(
            Exists(roles_wanted(roles)), version__status=RunbookVersion.Status.IN_REVIEW
        )
        .exclude(author_id=user.pk)
        .exclude(Exists(mine))
    )


def approver_roles() -> set[str]:
    """Every role the approval matrix asks to approve some change type."""
    return {
        role
        for roles in ApprovalRule.objects.values_list("required_roles", flat=True)
        for role in roles
    }


def approvals_waiting_count(user: Actor) -> int:
    return changes_waiting(user).count()


def reviews_due(today: dt.date, *, within_days: int = 0) -> QuerySet[RunbookDocument]:
    """Published documents whose next review is on or before `today + within_days`."""
    published = RunbookVersion.objects.filter(
        document=OuterRef("pk"), status=RunbookVersion.Status.PUBLISHED
    )
    return (
        RunbookDocument.objects.filter(next_review__lte=today + dt.timedelta(days=within_days))
        .filter(Exists(published))
        .order_by("next_review", "doc_id")
    )


def document_list(
    *,
    search: str = "",
    state: str = "",
    classification: str = "",
    cadence: str = "",
    today: dt.date | None = None,
) -> QuerySet[RunbookDocument]:
    """Documents with their published label and open change's status annotated
    (`published_label`, `published_at`, `open_id`, `open_label`, `open_status`). The
    database keeps at most one published and one open version per document, so each is one
    left join, not a subquery per row."""
    qs = RunbookDocument.objects.annotate(
        published=FilteredRelation(
            "versions", condition=Q(versions__status=RunbookVersion.Status.PUBLISHED)
        ),
        open=FilteredRelation("versions", condition=Q(versions__status__in=RunbookVersion.OPEN)),
    ).annotate(
        published_label=F("published__label"),
        published_at=F("published__published_at"),
        open_id=F("open__id"),
        open_label=F("open__label"),
        open_status=F("open__status"),
    )
    if search:
        qs = qs.filter(
            Q(doc_id__icontains=search) | Q(title__icontains=search) | Q(owner__icontains=search)
        )
    if classification:
        qs = qs.filter(classification=classification)
    if cadence:
        qs = qs.filter(review_cadence=cadence)
    if state == "review_due" and today is not None:
        qs = qs.filter(next_review__lte=today, published_label__isnull=False)
    elif state == "change_open":
        qs = qs.filter(open_id__isnull=False)
    elif state == "in_review":
        qs = qs.filter(open_status=RunbookVersion.Status.IN_REVIEW)
    elif state == "unpublished":
        qs = qs.filter(published_label__isnull=True)
    return qs.order_by("doc_id")


def change_signoffs(change: ChangeRequest) -> QuerySet[SignOff]:
    """Every signature on a change, voided ones included, in order."""
    return (
        SignOff.objects.filter(
            subject_type=ContentType.objects.get_for_model(ChangeRequest), subject_id=change.pk
        )
        .select_related("signer")
        .order_by("signed_at", "id")
    )
