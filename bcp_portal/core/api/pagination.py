from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework import pagination

if TYPE_CHECKING:  # DRF imports this module while rest_framework.views loads
    from django.db.models import QuerySet
    from rest_framework.request import Request
    from rest_framework.views import APIView


class CursorPagination(pagination.CursorPagination):
    """Stable pages on long, changing lists, ordered by the viewset's `ordering`.

    A cursor only works on a unique key (otherwise rows tying on it are skipped or repeated
    across pages), so every paginated viewset sets `ordering` to a unique field; a test
    checks it. `-pk` is the default for viewsets that set none.
    """

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-pk"

    def get_ordering(self, request: Request, queryset: QuerySet, view: APIView) -> tuple[str, ...]:
        ordering = getattr(view, "ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)
