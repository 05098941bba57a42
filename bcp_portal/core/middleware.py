import uuid
from collections.abc import Callable

from django.core.exceptions import TooManyFieldsSent
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template import loader
from django.utils import timezone

from bcp_portal.core import dates, dbstate, limits
from bcp_portal.core.audit import Source, audit_context
from bcp_portal.core.people import user_date_format, user_zone

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class AuditContextMiddleware:
    """Opens the audit context of a request: its id, its source, its actor."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        source = Source.API if request.path.startswith("/api/") else Source.WEB
        request.request_id = request_id  # type: ignore[attr-defined]  # read by logging and tests
        with audit_context(source=source, request_id=request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class UserTimezoneMiddleware:
    """Shows every time in the signed-in user's own zone (stored in UTC regardless), and
    every date in the format they chose beside it (`bcp_portal.core.dates`)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        zone = None
        date_format = None
        user = getattr(request, "user", None)
        try:
            if user is not None and user.is_authenticated:
                zone = user_zone(user, default=None)
                date_format = user_date_format(user)
        except DatabaseError:
            # The database is down: let the view answer (/healthz says 503), in UTC.
            zone = None
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        token = dates.activate(date_format)
        try:
            return self.get_response(request)
        finally:
            dates.deactivate(token)


class DatabaseBehindCodeMiddleware:
    """A database error while migrations are pending answers 503 saying what to run.

    Without it, a server started on a database that lacks the latest migrations answers 500
    on every page ("no such column"); a newcomer cannot tell that one command fixes it.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DatabaseError):
            return None
        pending = dbstate.pending_migrations()
        if not pending:
            return None  # a real error: the usual 500 (and its log)
        message = (
            f"The database is behind the code: {len(pending)} migration(s) are not applied "
            f"({', '.join(pending[:5])}{', …' if len(pending) > 5 else ''}). Run "
            "`manage.py migrate` (or `make run`, which migrates first), then reload."
        )
        if request.path.startswith("/api/"):
            body = {"error": {"code": "database_not_migrated", "message": message}}
            return JsonResponse(body, status=503)
        html = loader.render_to_string("errors/503_migrate.html", {"message": message})
        return HttpResponse(html, status=503)


class RequestGuardMiddleware:
    """Refuses, before any view runs, what no view could store or answer well:

    - a body larger than `limits.REQUEST_BODY_MAX_BYTES` (413);
    - more query parameters or form fields than `limits.REQUEST_FIELDS_MAX` (400);
    - a NUL character in the path, in any query parameter or in any form field of a page,
      name or value (400 naming it): PostgreSQL cannot store or compare text holding one,
      so a NUL that reached a filter or a form answered 500. (The API reads JSON, and its
      text fields refuse a NUL themselves.)

    Under /api/ the answer is in the API's error shape; elsewhere a short page says what was
    refused. Validation proper stays with forms, filters and serializers.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limits.REQUEST_BODY_MAX_BYTES:
            return _refuse(
                request,
                413,
                "request_too_large",
                f"The request body is {length:,} bytes; the limit is "
                f"{limits.REQUEST_BODY_MAX_BYTES:,} bytes.",
            )
        if "\x00" in request.path:
            return _refuse(request, 400, "nul_character", "The address holds a NUL character.")
        try:
            sources = [("query parameter", request.GET)]
            # The API reads JSON (its serializers refuse a NUL) and answers 415 to a form,
            # which it could not tell once the form were read here.
            api = request.path.startswith("/api/")
            if request.method == "POST" and _is_form(request) and not api:
                sources.append(("form field", request.POST))
        except TooManyFieldsSent:
            return _refuse(
                request,
                400,
                "too_many_fields",
                f"The request has more than the limit of {limits.REQUEST_FIELDS_MAX:,} "
                "query parameters or form fields.",
            )
        for kind, data in sources:
            for name, values in data.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    shown = name.replace("\x00", "\\0")
                    return _refuse(
                        request,
                        400,
                        "validation_error",
                        f"The {kind} “{shown}” holds a NUL character, which is not allowed.",
                        field=shown,
                    )
        return None


def _is_form(request: HttpRequest) -> bool:
    return request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")


def _refuse(
    request: HttpRequest, status: int, code: str, message: str, *, field: str = ""
) -> HttpResponse:
    if request.path.startswith("/api/"):
        error: dict[str, object] = {"code": code, "message": message}
        if field:
            error["fields"] = {field: [message]}
        return JsonResponse({"error": error}, status=status)
    html = loader.render_to_string("errors/refused.html", {"message": message, "status": status})
    return HttpResponse(html, status=status)
