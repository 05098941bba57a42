from __future__ import annotations

import binascii
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import exceptions, pagination

from bcp_portal.core import limits
from bcp_portal.core.filters import BIGINT_MAX, pk_max

INVALID_CURSOR = "This cursor is not one this list gave out: follow the `next` or `previous` link."

if TYPE_CHECKING:  # DRF imports this module while rest_framework.views loads
    from django.db.models import QuerySet
    from rest_framework.request import Request
    from rest_framework.views import APIView


class CursorPagination(pagination.CursorPagination):
    """Stable pages on long, changing lists, ordered by the viewset's `ordering`.

    A cursor only works on a unique key (otherwise rows tying on it are skipped or repeated
    across pages), so every paginated viewset sets `ordering` to a unique field; a test
    checks it. `-pk` is the default for viewsets that set none.

    A malformed `cursor` or `page_size` answers 400 naming the parameter, like a malformed
    filter: the cursor's position must be a value of the ordering field (an id in range, text
    without NUL bytes) before it reaches the database. A page size outside 1 to
    `max_page_size` is refused the same way (the error and the schema give the range), not
    capped in silence.
    """

    page_size = limits.API_PAGE_SIZE
    max_page_size = limits.API_PAGE_SIZE_MAX
    page_size_query_param = "page_size"
    page_size_query_description = f"Results per page: 1 to {max_page_size} (default {page_size})."
    ordering = "-pk"

    def get_ordering(self, request: Request, queryset: QuerySet, view: APIView) -> tuple[str, ...]:
        ordering = getattr(view, "ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int:
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        raw = values[-1]
        wanted = int(raw) if raw.isascii() and raw.isdigit() else 0
        if len(values) > 1 or not 1 <= wanted <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        f"Give one whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return wanted

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Rows per page, from 1 to {self.max_page_size} (default {self.page_size}); "
                    "any other number is refused naming this parameter."
                )
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters

    def decode_cursor(self, request: Request) -> pagination.Cursor | None:
        if len(request.query_params.getlist(self.cursor_query_param)) > 1:
            raise exceptions.ValidationError({self.cursor_query_param: ["Give one cursor."]})
        encoded = request.query_params.get(self.cursor_query_param)
        try:
            # Strictly: the lenient decoder drops stray characters and reads "!!!" as no cursor.
            if encoded:
                binascii.a2b_base64(encoded.encode("ascii"), strict_mode=True)
            cursor = super().decode_cursor(request)
        except (ValueError, binascii.Error) as exc:
            raise exceptions.ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from exc
        except exceptions.NotFound as exc:
            raise exceptions.ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from exc
        if cursor is not None and cursor.position is not None:
            self._check_position(str(cursor.position))
        return cursor

    def _check_position(self, position: str) -> None:
        """The position is compared with the ordering field: it must be one of its values."""
        model: type[models.Model] | None = getattr(self, "_model", None)
        if model is None:
            return
        name = self.ordering[0].lstrip("-")
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except (AttributeError, FieldDoesNotExist):
            field = None
        invalid = exceptions.ValidationError({self.cursor_query_param: [INVALID_CURSOR]})
        if "\x00" in position:
            raise invalid
        if not isinstance(field, models.Field):
            return
        try:
            value = field.to_python(position)
        except DjangoValidationError as exc:
            raise invalid from exc
        if isinstance(field, models.IntegerField | models.AutoField):
            highest = pk_max(model) if field.primary_key else BIGINT_MAX
            if not -highest <= value <= highest:
                raise invalid
