"""Writes for personal API tokens (knox): the raw token exists only in the return value.

A token is revoked by deleting its row (knox keeps no revoked state). Its label for people
and for the account events log is the first 8 characters of the token, which knox keeps
in the clear to find it (`token_key`); the digest and the rest never leave the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from knox.models import AuthToken

from bcp_portal.core.account_events import account_event_record
from bcp_portal.core.credentials import REVOKE_PERMISSION, Credential
from bcp_portal.core.models import AccountEvent
from bcp_portal.core.roles import require_perm
from bcp_portal.core.typehints import Actor

TOKEN_LIFETIMES_DAYS = (30, 90, 365)
API_TOKEN = "api_token"


def api_token_label(token: AuthToken) -> str:
    return f"API token {token.token_key[:8]}…"


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


def api_tokens_active(user: User) -> list[Credential]:
    """`user`'s tokens that still open the API (the `core.credentials` registry)."""
    live = AuthToken.objects.filter(user=user).filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    )
    return [Credential(API_TOKEN, api_token_label(token)) for token in live.order_by("created")]


@transaction.atomic
def api_tokens_revoke_all(*, user: User, actor: Actor | None) -> list[Credential]:
    """Delete every token of `user`; return the ones that still worked."""
    revoked = api_tokens_active(user)
    AuthToken.objects.filter(user=user).delete()
    return revoked


@transaction.atomic
def api_tokens_revoke_as_admin(*, actor: Actor, tokens: Iterable[AuthToken]) -> int:
    """An administrator revokes other people's tokens (the admin's "Revoke" action);
    each is recorded on its owner's account."""
    require_perm(actor, REVOKE_PERMISSION)
    revoked = 0
    for token in tokens:
        label = api_token_label(token)
        owner = token.user
        token.delete()
        account_event_record(
            user=owner,
            kind=AccountEvent.Kind.TOKEN_REVOKED,
            actor=actor,
            detail={"credentials": [Credential(API_TOKEN, label).as_detail()], "by": "admin"},
        )
        revoked += 1
    return revoked
