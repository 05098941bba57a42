from __future__ import annotations

from django.db.models import QuerySet
from knox.models import AuthToken

from bcp_portal.core.typehints import Actor


def api_token_list(*, user: Actor) -> QuerySet[AuthToken]:
    """The user's own tokens, newest first (expired ones too, until knox cleans them up)."""
    return AuthToken.objects.filter(user=user).order_by("-created")
