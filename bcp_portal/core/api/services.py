"""Writes for personal API tokens (knox): the raw token exists only in the return value."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from knox.models import AuthToken

from bcp_portal.core.typehints import Actor

TOKEN_LIFETIMES_DAYS = (30, 90, 365)


@transaction.atomic
def api_token_create(*, actor: Actor, lifetime: timedelta) -> tuple[AuthToken, str]:
    """A token for `actor`; returns the row (digest only) and the raw token to show once."""
    if not (actor and actor.is_authenticated):
        raise PermissionDenied("Sign in to create an API token.")
    return AuthToken.objects.create(user=actor, expiry=lifetime)


@transaction.atomic
def api_token_revoke(*, actor: Actor, digest: str) -> bool:
    """Delete one of `actor`'s own tokens; someone else's digest deletes nothing."""
    if not digest:
        return False
    deleted, _ = AuthToken.objects.filter(user=actor, digest=digest).delete()
    return bool(deleted)
