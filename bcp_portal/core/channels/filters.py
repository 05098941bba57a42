"""The inbox's filter: `unread` (1: only unread, 0: only read), on the page and in the API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bcp_portal.core import filters
from bcp_portal.core.models import InboxItem


class InboxFilterSet(filters.PortalFilterSet):
    unread = filters.YesNoFilter(help_text="1: only unread messages; 0: only read ones.")

    def apply(self, queryset: QuerySet[InboxItem], values: dict[str, Any]) -> QuerySet[InboxItem]:
        if values["unread"] is None:
            return queryset
        return queryset.filter(read_at__isnull=bool(values["unread"]))
