"""Reads only the runbook pages need: an approval's state per required role, the inbox
grouped by change, a document's open change. Shared reads live in `compliance.selectors`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.utils.functional import cached_property

from bcp_portal.core import signing
from bcp_portal.core.models import SignOff
from bcp_portal.core.paginator import SizedPagesPaginator
from bcp_portal.core.roles import user_roles
from bcp_portal.core.typehints import Actor
from compliance import selectors
from compliance.models import ChangeRequest, ChangeType, RunbookDocument, RunbookVersion


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


class WaitingChangesPaginator(SizedPagesPaginator):
    """The inbox's pages: the changes with a role `user` could sign now, oldest submission
    first; `roles_asked[change.pk]` holds, for the rows read, the user's roles each change
    still wants (in the matrix's order).

    Two reads a page. The first reads keys only: the waiting changes' ids in order, with how
    many there are (COUNT(*) OVER (), before the LIMIT) and, for the page's rows, the
    position of each of the user's roles the change still wants (NULL where it does not).
    The second reads those rows with their version, document, base version and author, and
    only the columns the page shows. One read joining them to every waiting change before
    counting (an SRE Lead asked about each of 1,000 runbooks) had the database join 3,000
    rows and carry every column through the count to show 20."""

    def __init__(self, user: Actor, per_page: int) -> None:
        super().__init__(selectors.changes_waiting(user), per_page)
        self.held = sorted(user_roles(user))
        self.roles_asked: dict[int, list[str]] = {}

    def _rows(self, number: int) -> list[Any]:
        bottom = (number - 1) * self.per_page
        positions = {
            f"role_{i}": Subquery(selectors.roles_wanted([role]).order_by().values("position")[:1])
            for i, role in enumerate(self.held)
        }
        keys = list(
            self.queryset.annotate(**{self.TOTAL: Window(Count("*"))}, **positions)
            .order_by("submitted_at", "pk")
            .values_list("pk", self.TOTAL, *positions)[bottom : bottom + self.per_page]
        )
        if not keys:
            return []
        named = ("first_name", "last_name", "username")
        found = ChangeRequest.objects.select_related(
            "version__document", "version__based_on", "author"
        ).only(
            "change_type",
            "reason",
            "sections_touched",
            "rule_text",
            "submitted_at",
            "review_round",
            "version__label",
            "version__document__doc_id",
            "version__document__title",
            "version__based_on__label",
            *(f"author__{name}" for name in named),
        )
        by_pk = found.order_by().in_bulk([pk for pk, *_ in keys])
        rows = []
        for pk, total, *at in keys:
            change = by_pk.get(pk)
            if change is None:  # never: a change is not deleted, but keep the page whole
                continue
            setattr(change, self.TOTAL, total)
            wanted = sorted(
                (p, role) for p, role in zip(at, self.held, strict=True) if p is not None
            )
            self.roles_asked[pk] = [role for _, role in wanted]
            rows.append(change)
        return rows


@dataclass(frozen=True)
class Named:
    """A person as a list names them: what `people.display_name` reads, from three columns
    of the list's own query rather than a User row per person."""

    first_name: str
    last_name: str
    username: str

    def get_full_name(self) -> str:  # as django.contrib.auth's AbstractUser
        return f"{self.first_name} {self.last_name}".strip()

    def get_username(self) -> str:
        return self.username


def _named(first: str | None, last: str | None, username: str | None) -> Named | None:
    return None if username is None else Named(first or "", last or "", username)


class VersionRowsPaginator(SizedPagesPaginator):
    """A document's versions, newest first, as plain rows of what its page lists: each a
    dict of `pk`, `label`, `status`, `status_label`, `change_type_label`, `author`,
    `created_at`, `published_at` and `published_by` (people as `Named`).

    One query a page, its rows carrying the number of versions (COUNT(*) OVER ()), as
    SizedPagesPaginator; the columns come as values, not as a version, a change and two
    users per row (80 model instances for a page of 20)."""

    COLUMNS = (
        "pk",
        "label",
        "status",
        "created_at",
        "published_at",
        "change__change_type",
        "change__author__first_name",
        "change__author__last_name",
        "change__author__username",
        "published_by__first_name",
        "published_by__last_name",
        "published_by__username",
    )

    def __init__(self, document: RunbookDocument, per_page: int) -> None:
        super().__init__(document.versions.order_by("-sequence"), per_page)
        self._total = 0

    def _rows(self, number: int) -> list[Any]:
        bottom = (number - 1) * self.per_page
        found = (
            self.queryset.annotate(**{self.TOTAL: Window(Count("*"))})
            .values_list(*self.COLUMNS, self.TOTAL)
            .order_by("-sequence")[bottom : bottom + self.per_page]
        )
        rows = []
        for pk, label, status, created, published, change_type, *people, total in found:
            self._total = total
            rows.append(
                {
                    "pk": pk,
                    "label": label,
                    "status": status,
                    "status_label": RunbookVersion.Status(status).label,
                    "change_type_label": ChangeType(change_type).label if change_type else "",
                    "author": _named(*people[:3]),
                    "created_at": created,
                    "published_at": published,
                    "published_by": _named(*people[3:]),
                }
            )
        return rows

    @cached_property
    def _capped_count(self) -> int:
        return self._total if self._first_rows else 0


def document_with_current(
    pk: int,
) -> tuple[RunbookDocument | None, RunbookVersion | None, RunbookVersion | None]:
    """(the document `pk`, its published version, its open version) in one query: each
    version row brings the document. The document is None when it has neither version
    (or does not exist): the caller reads it alone."""
    published, opened = _published_and_open(
        RunbookVersion.objects.filter(document_id=pk).select_related("document__owner_user")
    )
    found = published or opened
    document = found.document if found is not None else None
    for version in (published, opened):
        if version is not None and document is not None:
            version.document = document
    return document, published, opened


def published_and_open(
    document: RunbookDocument,
) -> tuple[RunbookVersion | None, RunbookVersion | None]:
    """(the published version, the open one) of `document`, in one query."""
    return _published_and_open(document.versions.all())


def _published_and_open(
    versions: QuerySet[RunbookVersion],
) -> tuple[RunbookVersion | None, RunbookVersion | None]:
    """The published and the open version among `versions`.

    The database keeps at most one of each per document, so this reads at most two rows.
    Only the published one's text is read (the page renders it); the open one comes with
    its change and author, which the page names, and without its text."""
    published: RunbookVersion | None = None
    opened: RunbookVersion | None = None
    rows = (
        versions.filter(status__in=(RunbookVersion.Status.PUBLISHED, *RunbookVersion.OPEN))
        .select_related("change__author")
        .defer("content")
        .annotate(
            published_text=Case(
                When(status=RunbookVersion.Status.PUBLISHED, then=F("content")),
                default=Value(""),
                output_field=TextField(),
            )
        )
        .order_by()
    )
    for version in rows:
        if version.status == RunbookVersion.Status.PUBLISHED:
            version.content = version.published_text
            published = version
        else:
            opened = version
    return published, opened
