"""Token endpoints (django-rest-knox): only a digest of each token is stored.

A client trades HTTP basic credentials (or a session) for a token at `auth/login`, sends it
as `Authorization: Token <token>`, and revokes it at `auth/logout` (or all of its tokens at
`auth/logoutall`). People can also manage their tokens on the account page.
"""

from drf_spectacular.utils import extend_schema
from knox import views as knox_views
from rest_framework import serializers
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response


class TokenLoginResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once: only its digest is stored.")
    expiry = serializers.DateTimeField(allow_null=True, help_text="Null: never expires.")


class TokenLoginView(knox_views.LoginView):
    """POST with HTTP basic auth (or a session) to get a token; only its digest is stored."""

    authentication_classes = [BasicAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: TokenLoginResponseSerializer},
        summary="Get an API token (HTTP basic auth or a session)",
        tags=["auth"],
    )
    def post(self, request: Request, format: str | None = None) -> Response:
        return super().post(request, format=format)


class TokenLogoutView(knox_views.LogoutView):
    @extend_schema(request=None, responses={204: None}, summary="Revoke this token", tags=["auth"])
    def post(self, request: Request, format: str | None = None) -> Response:
        return super().post(request, format=format)


class TokenLogoutAllView(knox_views.LogoutAllView):
    @extend_schema(
        request=None,
        responses={204: None},
        summary="Revoke every token of this user",
        tags=["auth"],
    )
    def post(self, request: Request, format: str | None = None) -> Response:
        return super().post(request, format=format)
