"""The API's token authentication (DEFAULT_AUTHENTICATION_CLASSES): knox tokens, sent as
`Authorization: Token <token>` or `Authorization: Bearer <token>`.

Kept apart from the token views (`auth.py`): DRF imports this module while it builds its
APIView class, so it must not import views itself.
"""

from typing import Any

from knox import auth as knox_auth
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header
from rest_framework.request import Request


class TokenAuthentication(knox_auth.TokenAuthentication):
    """knox tokens, with `Bearer` accepted beside knox's `Token` keyword."""

    keywords = ("Token", "Bearer")

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() not in {k.lower().encode() for k in self.keywords}:
            return None  # no header, or one for another scheme (Basic)
        if len(auth) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid token header: send one token after the keyword, with no spaces."
            )
        try:
            auth[1].decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        user, auth_token = self.authenticate_credentials(auth[1])
        return user, auth_token

    def authenticate_header(self, request: Request) -> str:
        # The WWW-Authenticate of a 401: the keyword knox documents.
        return "Token"
