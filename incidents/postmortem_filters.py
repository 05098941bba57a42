"""The post-mortem list's filters, shared by the page and the API (bcp_portal.core.filters):
`status`, and the search text as `q` (page) or `search` (API)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bcp_portal.core import filters
from incidents import postmortem_selectors
from incidents.models_postmortems import PostMortem


class PostMortemFilterSet(filters.PortalFilterSet):
    status = filters.ChoiceFilter(choices=PostMortem.Status.choices)
    q = filters.SearchFilter(help_text="Title, incident reference, summary or root cause.")
    search = filters.SearchFilter(help_text="Title, incident reference, summary or root cause.")

    def apply(self, queryset: QuerySet[PostMortem], values: dict[str, Any]) -> QuerySet[PostMortem]:
        return postmortem_selectors.filter_postmortems(
            queryset,
            status=values["status"] or "",
            search=self.first(values, "q", "search").strip(),
        )
