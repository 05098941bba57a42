from collections.abc import Callable

from django.db import DatabaseError, IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bcp_portal.core import dates, dbstate
from bcp_portal.core.audit import Source, audit_context, client_request_id_from, new_request_id
from bcp_portal.core.integrity import as_validation_error
from bcp_portal.core.people import user_date_format, user_zone

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class AuditContextMiddleware:
    """Opens the audit context of a request: its id, its source, its actor.

    The id is always a new one of ours, sent back as `X-Request-ID`; the client's own
    `X-Request-ID`, when short and plain, is kept beside it (`audit.client_request_id_from`).
    The source is "api" under /api/, "admin" in the admin site, "web" elsewhere.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self._admin_prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = new_request_id()
        client_request_id = client_request_id_from(request.headers.get("X-Request-ID"))
        request.request_id = request_id  # type: ignore[attr-defined]  # read by logging and tests
        with audit_context(
            source=self._source(request.path),
            request_id=request_id,
            client_request_id=client_request_id,
        ):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response

    def _source(self, path: str) -> str:
        if path.startswith("/api/"):
            return Source.API
        if self._admin_prefix is None:
            try:
                self._admin_prefix = reverse("admin:index")
            except NoReverseMatch:  # no admin site mounted
                self._admin_prefix = ""
        if self._admin_prefix and path.startswith(self._admin_prefix):
            return Source.ADMIN
        return Source.WEB


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


class ConflictMiddleware:
    """A write the database refused (an IntegrityError: two requests at the same moment)
    that no form caught answers 400 naming the field, never 500 (`core.integrity`).

    Listed above DatabaseBehindCodeMiddleware, so a database behind the code still answers
    its 503 first.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, IntegrityError):
            return None
        refusal = as_validation_error(exception)
        errors = refusal.message_dict
        if request.path.startswith("/api/"):
            fields = ", ".join(sorted(errors))
            body = {
                "error": {
                    "code": "validation_error",
                    "message": f"The request has invalid fields: {fields}.",
                    "fields": errors,
                }
            }
            return JsonResponse(body, status=400)
        html = loader.render_to_string("errors/400_conflict.html", {"errors": errors}, request)
        return HttpResponse(html, status=400)
