from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable pages on long, changing lists; viewsets set `ordering` to a unique key."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-pk"
