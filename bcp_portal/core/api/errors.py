"""One error shape for the whole API.

    {"error": {"code": "validation_error", "message": "...",
               "fields": {"name": ["This field is required."]}}}

`fields` is present only for validation errors and names every field that failed and why;
errors on the whole object sit under "non_field_errors", and an error inside a list of
objects is named by its path (`steps.2.ended_at`).

Statuses: 400 invalid input (a malformed or too deeply nested body, a NUL character, more
fields than the limit), or a write the database refused because another request made the
same one at the same moment (naming the field, `core.integrity`); 413 a body over the size
limit (`bcp_portal.core.limits`); 401 no or bad credentials (with `WWW-Authenticate: Token`,
as knox's TokenAuthentication comes first); 403 signed in but not allowed; 404 no such
object, or no such endpoint under /api/v1/ (`views.not_found`); 405 method not offered.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from bcp_portal.core import limits
from bcp_portal.core.api.parsers import RequestTooLarge
from bcp_portal.core.integrity import as_validation_error


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable, e.g. validation_error.")
    message = serializers.CharField(help_text="What went wrong, for a person to read.")

    def get_fields(self) -> dict[str, serializers.Field]:
        # Added here: a field declared as `fields` would shadow Serializer.fields.
        declared = super().get_fields()
        declared["fields"] = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text="Validation errors only: each field that failed and why.",
        )
        return declared


class ErrorSerializer(serializers.Serializer):
    """The error shape, for the schema (`extend_schema(responses={401: ErrorSerializer})`)."""

    error = ErrorBodySerializer()


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Errors by field as `{name: [message, ...]}`; a nested field's name is its path
    (`actions.0.title`), so the shape stays flat however deep the error was found."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            if item:
                flat.update(_flatten(item, f"{prefix}.{index}"))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, IntegrityError):
        # Two requests at once: the database refused the second (`core.integrity`).
        exc = as_validation_error(exc)
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):
        # Django's own limits, met while a parser reads the body: not its HTML 400.
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ParseError(
            f"The request has more than the limit of {limits.REQUEST_FIELDS_MAX:,} fields."
        )

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body: dict[str, Any] = {"code": getattr(exc, "default_code", "error"), "message": ""}
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body["code"] = "validation_error"
        body["message"] = invalid_fields_message(fields)
        body["fields"] = _flatten(fields)
    else:
        api_detail = getattr(exc, "detail", "")
        body["code"] = getattr(api_detail, "code", None) or body["code"]
        body["message"] = str(api_detail)
    response.data = {"error": body}
    return response


def error_response(
    code: str, message: str, http_status: int = status.HTTP_400_BAD_REQUEST
) -> Response:
    return Response({"error": {"code": code, "message": message}}, status=http_status)


def invalid_fields_message(fields: Iterable[str]) -> str:
    return "The request has invalid fields: " + ", ".join(sorted(fields)) + "."


def error_json(
    code: str, message: str, http_status: int, *, fields: dict[str, list[str]] | None = None
) -> JsonResponse:
    """The same error shape from outside DRF (middleware, plain views): a JsonResponse."""
    error: dict[str, object] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return JsonResponse({"error": error}, status=http_status)
