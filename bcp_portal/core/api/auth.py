"""Sign-in for the API and token endpoints (django-rest-knox): only a digest of each token
is stored.

A client trades credentials for a token at `auth/login`: a JSON or form body
`{"username": ..., "password": ..., "otp_code": ...}`, HTTP Basic authentication (with the
code in the body), or a session. The one-time code (from the authenticator app, or a
backup code) is required whenever the user has two-factor set up or `TWO_FACTOR_REQUIRED`
is on; with the setting on, a session gets a token only if it passed two-factor. So every
token was issued after a second factor, which is why a token-authenticated request counts
as verified (`core.middleware.TwoFactorRequiredMiddleware`). It sends
the token as `Authorization: Token <token>` (or `Bearer <token>`), and revokes it at
`auth/logout` (or all of its tokens at `auth/logoutall`). People can also manage their
tokens on the account page.

Every password check goes through `check_credentials`, which calls Django's
`authenticate(request=...)` with the underlying HttpRequest, so django-axes counts the
failures and pauses sign-in for a username and address after `AXES_FAILURE_LIMIT` of them,
whichever way the credentials came. A wrong password and an unknown username get the same
answer.
"""

from typing import Any, cast

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_out
from django.http import HttpRequest
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, extend_schema
from knox import views as knox_views
from knox.models import AuthToken
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from bcp_portal.core import twofactor
from bcp_portal.core.api.authentication import TokenAuthentication
from bcp_portal.core.api.errors import ErrorSerializer
from bcp_portal.core.api.parsers import JSONParser
from bcp_portal.core.api.services import api_token_create, api_token_revoke, api_tokens_revoke_own
from bcp_portal.core.typehints import Actor

WRONG_CREDENTIALS = "Wrong username or password."
NO_CREDENTIALS = (
    'Send your credentials as a JSON or form body {"username": ..., "password": ...}, '
    "or with HTTP Basic authentication (Authorization: Basic ...)."
)


CODE_NEEDED = (
    "This account signs in with two-factor: send the current code from your authenticator "
    'app (or a backup code) as "otp_code" beside the username and password.'
)
SET_UP_TWO_FACTOR = (
    "API tokens are issued only after two-factor authentication: set it up on your "
    'settings page first, then send its code as "otp_code".'
)
SESSION_NOT_VERIFIED = (
    "This session did not pass two-factor authentication: sign in again with a code, or "
    'send username, password and "otp_code".'
)


class TwoFactorRequired(exceptions.APIException):
    """A token needs a second factor that was not given (or is not set up)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "two_factor_required"


class SignInPaused(exceptions.APIException):
    """Too many wrong passwords for this username from this address (django-axes)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self) -> None:
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        super().__init__(
            "Too many failed sign-ins: signing in as this user from your address is paused "
            f"for {minutes} minutes. Try again later, or reset your password."
        )
        # DRF's exception handler turns this into a Retry-After header.
        self.wait = int(settings.AXES_COOLOFF_TIME.total_seconds())


def check_credentials(request: Request | HttpRequest, username: str, password: str) -> Actor:
    """The active user these credentials belong to; AuthenticationFailed (the same message
    whether the username exists or not) or SignInPaused (django-axes) otherwise."""
    http_request: HttpRequest = getattr(request, "_request", request)
    user = authenticate(request=http_request, username=username, password=password)
    if getattr(http_request, "axes_locked_out", False):
        # Answered here in the API's error shape, not by AxesMiddleware's HTML page.
        http_request.axes_locked_out = False  # type: ignore[attr-defined]
        raise SignInPaused()
    if user is None or not user.is_active:
        raise exceptions.AuthenticationFailed(WRONG_CREDENTIALS)
    return user


class PortalBasicAuthentication(BasicAuthentication):
    """HTTP Basic, with the password checked as every other sign-in is (lockout included)."""

    def authenticate_credentials(
        self, userid: str, password: str, request: Request | None = None
    ) -> tuple[Actor, None]:
        if request is None:
            raise exceptions.AuthenticationFailed(WRONG_CREDENTIALS)
        return check_credentials(request, userid, password), None


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the schema (and Swagger UI's Authorize button) describes the token header."""

    target_class = "bcp_portal.core.api.authentication.TokenAuthentication"
    name = "knoxApiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A token from POST /api/v1/auth/login or the API tokens page, sent as "
                "`Authorization: Bearer <token>` or `Authorization: Token <token>`."
            ),
        }


class PortalBasicScheme(OpenApiAuthenticationExtension):
    """HTTP Basic on the login endpoint, described as DRF's own Basic is."""

    target_class = "bcp_portal.core.api.auth.PortalBasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "basic"}


class TokenLoginRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    otp_code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text=(
            "The current code from your authenticator app, or one of your backup codes. "
            "Required when the account has two-factor set up or the portal requires it."
        ),
    )


class OtpCodeSerializer(serializers.Serializer):
    """The code alone, when the credentials come by HTTP Basic."""

    otp_code = serializers.CharField(required=False, allow_blank=True, max_length=20)


def check_second_factor(user: Actor, code: str) -> None:
    """Refuse a token unless a code is given and right, when the user has two-factor or
    the setting requires it; a wrong code is a failed sign-in for django-axes too."""
    if not (settings.TWO_FACTOR_REQUIRED or twofactor.has_two_factor(user)):
        return
    if not twofactor.has_two_factor(user):
        raise TwoFactorRequired(SET_UP_TWO_FACTOR)
    if not code:
        raise TwoFactorRequired(CODE_NEEDED)
    check = twofactor.code_check(user, code)  # type: ignore[arg-type]  # an authenticated User
    if not check.ok:
        raise exceptions.AuthenticationFailed(check.error)


class TokenLoginResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once: only its digest is stored.")
    expiry = serializers.DateTimeField(allow_null=True, help_text="Null: never expires.")


class TokenLoginView(knox_views.LoginView):
    """POST credentials (JSON or form body, HTTP Basic, or a session) to get a token."""

    authentication_classes = [PortalBasicAuthentication, SessionAuthentication]
    # Credentials as JSON or as a form (urlencoded or multipart), as documented below.
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    # Anyone may try; the view itself demands credentials (401 naming what it expects).
    permission_classes = [AllowAny]

    @extend_schema(
        request={
            "application/json": TokenLoginRequestSerializer,
            "application/x-www-form-urlencoded": TokenLoginRequestSerializer,
        },
        responses={
            200: TokenLoginResponseSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            429: ErrorSerializer,
        },
        examples=[
            OpenApiExample(
                "JSON credentials",
                value={"username": "sre", "password": "…", "otp_code": "123456"},
                request_only=True,
            ),
            OpenApiExample(
                "Wrong credentials (401)",
                value={"error": {"code": "authentication_failed", "message": WRONG_CREDENTIALS}},
                response_only=True,
                status_codes=["401"],
            ),
        ],
        summary="Get an API token",
        description=(
            'Send `{"username": ..., "password": ..., "otp_code": ...}` as JSON or a form, '
            "or use HTTP Basic authentication with `otp_code` in the body (or a session). "
            "`otp_code` is the current code from the authenticator app, or a backup code; "
            "it is required when the account has two-factor set up or the portal requires "
            "two-factor (then a session gets a token only if it passed two-factor). "
            "400: a credential field is missing or blank. "
            "401: no credentials, or wrong ones (the same answer whether the username "
            "exists or not), or a wrong code. 403 `two_factor_required`: the code is "
            "missing, two-factor is not set up, or the session did not pass it. "
            "429: too many failed sign-ins for this username from this "
            "address; sign-in is paused for a while (Retry-After says how long)."
        ),
        tags=["auth"],
    )
    def post(self, request: Request, format: str | None = None) -> Response:
        data = request.data
        in_body = isinstance(data, dict) and ("username" in data or "password" in data)
        if in_body:
            credentials = TokenLoginRequestSerializer(data=data)
            credentials.is_valid(raise_exception=True)
            user = check_credentials(
                request,
                credentials.validated_data["username"],
                credentials.validated_data["password"],
            )
            check_second_factor(user, credentials.validated_data.get("otp_code", ""))
            request.user = user
        elif not request.user.is_authenticated:
            raise exceptions.NotAuthenticated(NO_CREDENTIALS)
        elif isinstance(request.successful_authenticator, PortalBasicAuthentication):
            code = OtpCodeSerializer(data=data if isinstance(data, dict) else {})
            code.is_valid(raise_exception=True)
            check_second_factor(request.user, code.validated_data.get("otp_code", ""))
        elif (
            settings.TWO_FACTOR_REQUIRED or twofactor.has_two_factor(request.user)
        ) and not twofactor.session_verified(request.user):
            # A session: it gets a token only if it passed two-factor itself.
            if not twofactor.has_two_factor(request.user):
                raise TwoFactorRequired(SET_UP_TWO_FACTOR)
            raise TwoFactorRequired(SESSION_NOT_VERIFIED)
        return super().post(request, format=format)

    def create_token(self) -> tuple[AuthToken, str]:
        # knox's own create, through the service that records it on the account.
        return api_token_create(actor=self.request.user, lifetime=self.get_token_ttl(), by="api")


class TokenLogoutView(knox_views.LogoutView):
    authentication_classes = [TokenAuthentication]

    @extend_schema(
        request=None,
        responses={204: None, 401: ErrorSerializer},
        summary="Revoke this token",
        tags=["auth"],
    )
    def post(self, request: Request, format: str | None = None) -> Response:
        # knox's logout, with the deletion recorded on the account by the service.
        token = cast(AuthToken, request.auth)  # TokenAuthentication: a knox token row
        api_token_revoke(actor=request.user, digest=token.digest, by="api")
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return self.get_post_response(request)


class TokenLogoutAllView(knox_views.LogoutAllView):
    authentication_classes = [TokenAuthentication]

    @extend_schema(
        request=None,
        responses={204: None, 401: ErrorSerializer},
        summary="Revoke every token of this user",
        tags=["auth"],
    )
    def post(self, request: Request, format: str | None = None) -> Response:
        api_tokens_revoke_own(actor=request.user, by="api")
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return self.get_post_response(request)
