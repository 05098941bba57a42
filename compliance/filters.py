"""The runbook lists' filters, shared by each page and its API (see bcp_portal.core.filters).

Documents: `state` (review due, change open, in review, nothing published),
`classification`, `cadence`, and the search text as `q` (pages) or `search` (API).
Versions of a document: `status`; the API's list of every version adds `document`.
Sign-offs (the API's, for auditors): `purpose` (a purpose registered with the signing
service) and `signer`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bcp_portal.catalogue.selectors import organisation_today
from bcp_portal.core import filters, signing
from bcp_portal.core.models import SignOff
from compliance import selectors
from compliance.models import Classification, ReviewCadence, RunbookDocument, RunbookVersion


class DocumentFilterSet(filters.PortalFilterSet):
    state = filters.ChoiceFilter(
        choices=selectors.DOCUMENT_STATES,
        help_text="review_due, change_open, in_review or unpublished.",
    )
    classification = filters.ChoiceFilter(choices=Classification.choices)
    cadence = filters.ChoiceFilter(choices=ReviewCadence.choices, label="Review cadence")
    q = filters.SearchFilter(help_text="Document id, title or owner (the page's name).")
    search = filters.SearchFilter(help_text="Document id, title or owner.")

    def apply(
        self, queryset: QuerySet[RunbookDocument], values: dict[str, Any]
    ) -> QuerySet[RunbookDocument]:
        return selectors.document_list(
            search=self.first(values, "q", "search").strip(),
            state=values["state"] or "",
            classification=values["classification"] or "",
            cadence=values["cadence"] or "",
            # The organisation's day costs a query: only the review_due state reads it.
            today=organisation_today() if values["state"] == "review_due" else None,
        )


class VersionFilterSet(filters.PortalFilterSet):
    status = filters.ChoiceFilter(choices=RunbookVersion.Status.choices)

    def apply(
        self, queryset: QuerySet[RunbookVersion], values: dict[str, Any]
    ) -> QuerySet[RunbookVersion]:
        if values["status"]:
            queryset = queryset.filter(status=values["status"])
        return queryset


class VersionListFilterSet(VersionFilterSet):
    """Every document's versions (the API's list): a document's page is already one."""

    document = filters.IdFilter(help_text="The document's id.")

    def apply(
        self, queryset: QuerySet[RunbookVersion], values: dict[str, Any]
    ) -> QuerySet[RunbookVersion]:
        queryset = super().apply(queryset, values)
        if values["document"]:
            queryset = queryset.filter(document_id=values["document"])
        return queryset


def _purposes() -> list[tuple[str, str]]:
    return [(purpose, purpose) for purpose in signing.purposes()]


class SignOffFilterSet(filters.PortalFilterSet):
    purpose = filters.ChoiceFilter(
        choices=_purposes, help_text="What was signed: runbook_change or runbook_review."
    )
    signer = filters.IdFilter(help_text="The signer's user id.")

    def apply(self, queryset: QuerySet[SignOff], values: dict[str, Any]) -> QuerySet[SignOff]:
        if values["purpose"]:
            queryset = queryset.filter(purpose=values["purpose"])
        if values["signer"]:
            queryset = queryset.filter(signer_id=values["signer"])
        return queryset
