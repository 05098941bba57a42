"""Writes for personal API tokens (knox): the raw token exists only in the return value.

A token is revoked by deleting its row (knox keeps no revoked state). Its label for people
and for the account events log is the first 8 characters of the token, which knox keeps
in the clear to find it (`token_key`); the digest and the rest never leave the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import cast

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


def _record(
    kind: str, *, user: User, actor: Actor | None, tokens: list[Credential], by: str
) -> None:
    """A token made or revoked, on its owner's account: knox keeps no history of its own."""
    account_event_record(
        user=user,
        kind=kind,
        actor=actor,
        detail={"credentials": [token.as_detail() for token in tokens], "by": by},
    )


@transaction.atomic
def api_token_create(
    *, actor: Actor, lifetime: timedelta | None, by: str = "page"
) -> tuple[AuthToken, str]:
    """A token for `actor` (the tokens page, or the API's sign-in: `by`), recorded; returns
    the row (digest only) and the raw token to show once."""
    if not (actor and actor.is_authenticated):
        raise PermissionDenied("Sign in to create an API token.")
    token, raw = AuthToken.objects.create(user=actor, expiry=lifetime)
    _record(
        AccountEvent.Kind.TOKEN_CREATED,
        user=actor,
        actor=actor,
        tokens=[Credential(API_TOKEN, api_token_label(token))],
        by=by,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Actor, digest: str, by: str = "page") -> bool:
    """Delete one of `actor`'s own tokens, recorded; someone else's digest deletes nothing."""
    if not digest:
        return False
    token = AuthToken.objects.filter(user=actor, digest=digest).first()
    if token is None:
        return False
    label = api_token_label(token)
    token.delete()
    owner = cast(User, actor)
    _record(
        AccountEvent.Kind.TOKEN_REVOKED,
        user=owner,
        actor=owner,
        tokens=[Credential(API_TOKEN, label)],
        by=by,
    )
    return True


@transaction.atomic
def api_tokens_revoke_own(*, actor: Actor, by: str) -> int:
    """Delete every token of `actor` (the API's "log out everywhere"), recorded."""
    owner = cast(User, actor)
    revoked = api_tokens_active(owner)
    AuthToken.objects.filter(user=owner).delete()
    if revoked:
        _record(AccountEvent.Kind.TOKEN_REVOKED, user=owner, actor=owner, tokens=revoked, by=by)
    return len(revoked)


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
        credential = Credential(API_TOKEN, label)
        _record(
            AccountEvent.Kind.TOKEN_REVOKED,
            user=owner,
            actor=actor,
            tokens=[credential],
            by="admin",
        )
        revoked += 1
    return revoked
