"""The runbook lists' filters, shared by each page and its API (see bcp_portal.core.filters).

Documents: `state` (review due, change open, in review, nothing published),
`classification`, `cadence`, and the search text as `q` (pages) or `search` (API).
Versions of a document: `status`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bcp_portal.catalogue.selectors import organisation_today
from bcp_portal.core import filters
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
            today=organisation_today(),
        )


class VersionFilterSet(filters.PortalFilterSet):
    status = filters.ChoiceFilter(choices=RunbookVersion.Status.choices)

    def apply(
        self, queryset: QuerySet[RunbookVersion], values: dict[str, Any]
    ) -> QuerySet[RunbookVersion]:
        if values["status"]:
            queryset = queryset.filter(status=values["status"])
        return queryset
