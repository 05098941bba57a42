"""Reads only the runbook pages need: an approval's state per required role, the inbox
grouped by change, a document's open change. Shared reads live in `compliance.selectors`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet

from bcp_portal.core import signing
from bcp_portal.core.models import SignOff
from bcp_portal.core.typehints import Actor
from compliance import selectors
from compliance.models import ChangeRequest, RunbookDocument, RunbookVersion


@dataclass
class RoleState:
    """One role a change requires, and where it stands on the current content."""

    role: str
    approval: SignOff | None = None  # a valid approval of the current content
    stale: list[SignOff] = field(default_factory=list)  # valid, but over other content


def role_states(change: ChangeRequest) -> tuple[list[RoleState], list[SignOff], str]:
    """(each required role's state, every voided signature, the current content hash)."""
    current = signing.subject_hash(change)
    signoffs = list(selectors.change_signoffs(change))
    states = []
    for required in change.required.all():
        state = RoleState(required.role)
        for signoff in signoffs:
            if (
                signoff.role != required.role
                or signoff.voided_at is not None
                or signoff.decision != SignOff.Decision.APPROVE
            ):
                continue
            if signoff.content_sha256 == current:
                state.approval = signoff
            else:
                state.stale.append(signoff)
        states.append(state)
    voided = [s for s in signoffs if s.voided_at is not None]
    return states, voided, current


def my_valid_signoff(change: ChangeRequest, user: Actor) -> SignOff | None:
    """The user's signature of this change's current round, if any (voided ones are of
    earlier rounds)."""
    return (
        signing.signoffs_for(change)
        .filter(signer_id=user.pk, voided_at__isnull=True)
        .order_by("-signed_at")
        .first()
    )


def waiting_changes(user: Actor) -> QuerySet[ChangeRequest]:
    """The changes with at least one role `user` could sign now, oldest submission first."""
    return (
        selectors.changes_waiting(user)
        .select_related("version__document", "version__based_on", "author")
        .defer("version__content", "version__based_on__content")
        .order_by("submitted_at", "pk")
    )


def roles_asked(user: Actor, changes: Sequence[ChangeRequest]) -> dict[int, list[str]]:
    """For each change on a page of the inbox, the roles `user` is asked in (one query)."""
    asked: dict[int, list[str]] = defaultdict(list)
    rows = (
        selectors.approvals_waiting(user)
        .filter(change_id__in=[c.pk for c in changes])
        .select_related(None)
        .values_list("change_id", "role")
    )
    for change_id, role in rows:
        asked[change_id].append(role)
    return dict(asked)


def open_version(document: RunbookDocument) -> RunbookVersion | None:
    return (
        document.versions.filter(status__in=RunbookVersion.OPEN)
        .select_related("change__author")
        .defer("content")
        .first()
    )


def published_version(document: RunbookDocument) -> RunbookVersion | None:
    return document.versions.filter(status=RunbookVersion.Status.PUBLISHED).first()
