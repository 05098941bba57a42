"""The service catalogue's filters, shared by the list page, its PDF and /api/v1/services.

Parameter names are the ones links and forms already use: `kind`, `priority`, retired
entries with `inactive` (page) or `include_inactive` (API), both 1 or 0 (true or false), and
the search text as `q` (page) or `search` (API).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bcp_portal.catalogue import selectors
from bcp_portal.catalogue.models import Service
from bcp_portal.core import filters


class ServiceFilterSet(filters.PortalFilterSet):
    kind = filters.ChoiceFilter(choices=Service.Kind.choices)
    priority = filters.ChoiceFilter(choices=Service.Priority.choices)
    inactive = filters.YesNoFilter(help_text="Also retired entries (the page's name).")
    include_inactive = filters.YesNoFilter(help_text="Also retired entries.")
    q = filters.SearchFilter(help_text="Name, description, team, region… (the page's name).")
    search = filters.SearchFilter(help_text="Name, description, team, region…")

    def apply(self, queryset: QuerySet[Service], values: dict[str, Any]) -> QuerySet[Service]:
        return selectors.filter_services(
            queryset,
            search=self.first(values, "q", "search").strip(),
            kind=values["kind"] or "",
            priority=values["priority"] or "",
            include_inactive=bool(values["inactive"] or values["include_inactive"]),
        )
