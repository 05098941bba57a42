from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import TooManyFieldsSent
from django.db import DatabaseError, IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from bcp_portal.core import dates, dbstate, limits, twofactor
from bcp_portal.core.api.errors import error_json, invalid_fields_message
from bcp_portal.core.audit import Source, audit_context, client_request_id_from, new_request_id
from bcp_portal.core.channels.selectors import load_profile_with_unread
from bcp_portal.core.integrity import as_validation_error
from bcp_portal.core.people import user_date_format, user_zone
from bcp_portal.core.sessions import session_expiry

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
                # The profile, with the inbox's unread count for the navigation bar.
                load_profile_with_unread(user)
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
            return error_json("database_not_migrated", message, 503)
        html = loader.render_to_string("errors/503_migrate.html", {"message": message})
        return HttpResponse(html, status=503)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# What an unverified person may still post: signing in and out, and setting up two-factor.
# The API's token login checks the second factor itself (core.api.auth); its logouts take
# a token only, never the session.
TWO_FACTOR_EXEMPT_VIEWS = frozenset(
    {
        "login",
        "login-code",
        "logout",
        "admin:logout",
        "two-factor-setup",
        "api:token-login",
        "api:token-logout",
        "api:token-logoutall",
        # Alert intake: a monitor's source token is the only credential, never a session.
        "intake:alertmanager",
        "intake:generic",
        # A page's acknowledgement link: the signed link, not the session, authenticates it.
        "incidents:page-ack",
    }
)
TWO_FACTOR_API_MESSAGE = (
    "Set up two-factor authentication (your settings page) and sign in with a code before "
    "changing anything: your account requires it."
)
UNVERIFIED_SESSION_MESSAGE = (
    "This session did not pass two-factor authentication: sign out and sign in again with "
    "a code to change anything."
)


class TwoFactorRequiredMiddleware:
    """Refuses every unsafe request (POST, PUT, PATCH, DELETE) from a signed-in session
    that must pass two-factor and has not (`twofactor.must_verify_before_changes`), on
    pages, the admin and the API alike; reads still work.

    Pages answer with a redirect to the set-up page and a message saying why; the API with
    403 `two_factor_required` in its error shape. Requests authenticated by an API token
    carry no session user here and pass: tokens are issued only after two-factor.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        if request.method in SAFE_METHODS:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_EXEMPT_VIEWS:
            return None
        if not _signed_in(request):
            return None
        user = request.user
        if not twofactor.must_verify_before_changes(user):
            return None
        if request.path.startswith("/api/"):
            return error_json("two_factor_required", TWO_FACTOR_API_MESSAGE, 403)
        if twofactor.has_two_factor(user):
            messages.warning(request, UNVERIFIED_SESSION_MESSAGE)
            return redirect("account-settings")
        messages.warning(
            request,
            "Nothing was changed: your account must set up two-factor authentication before "
            "it changes anything. Set it up below, then try again.",
        )
        return redirect("two-factor-setup")


def _signed_in(request: HttpRequest) -> bool | None:
    """Whether a user is signed in on this request; None when the database cannot say
    (it is down: the view answers, /healthz says 503)."""
    user = getattr(request, "user", None)
    try:
        return bool(user is not None and user.is_authenticated)
    except DatabaseError:
        return None


class SessionTimeoutMiddleware:
    """Signs a session out once idle or too old (`core.sessions`); the request goes on as
    anonymous (a page sends it to sign in, with a message saying why)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if _signed_in(request):
            reason = session_expiry(request.session)
            if reason:
                logout(request)
                messages.info(request, f"You were signed out after {reason}. Sign in again.")
        return self.get_response(request)


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every answer to a signed-in user and every API
    answer: what one person may read must not sit in a shared cache or the browser's disk.
    Static files never get here (WhiteNoise answers them first) and stay cacheable."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # Unknown (the database is down): treated as signed in, the safe side.
        if request.path.startswith("/api/") or _signed_in(request) is not False:
            patch_cache_control(response, private=True, no_store=True)
        return response


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
            message = invalid_fields_message(errors)
            return error_json("validation_error", message, 400, fields=errors)
        html = loader.render_to_string("errors/400_conflict.html", {"errors": errors}, request)
        return HttpResponse(html, status=400)


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
        return error_json(code, message, status, fields={field: [message]} if field else None)
    html = loader.render_to_string("errors/refused.html", {"message": message, "status": status})
    return HttpResponse(html, status=status)
