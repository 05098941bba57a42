"""Personal iCalendar feed tokens: created with a secret shown once, stored as a digest, revoked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from bcp_portal.core.account_events import account_event_record
from bcp_portal.core.credentials import REVOKE_PERMISSION, Credential
from bcp_portal.core.models import AccountEvent
from bcp_portal.core.roles import require_perm
from bcp_portal.core.services import save_audited
from bcp_portal.core.typehints import Actor
from drills.models import (
    CalendarFeedToken,
)

# --- Calendar feed tokens ------------------------------------------------------------------


@transaction.atomic
def calendar_token_create(
    *, user: Actor, scope: str = CalendarFeedToken.Scope.MINE
) -> tuple[CalendarFeedToken, str]:
    """A private feed URL token for `user`: the row keeps its hash, the raw token is returned."""
    require_perm(user, "drills.add_calendarfeedtoken")
    raw = CalendarFeedToken.new_token()
    token = CalendarFeedToken(
        user=cast(User, user),  # require_perm above: a signed-in user
        scope=scope,
        token_hash=CalendarFeedToken.hash(raw),
        prefix=raw[:8],
    )
    save_audited(token, actor=user)
    return token, raw


@transaction.atomic
def calendar_token_revoke(*, actor: Actor, token: CalendarFeedToken) -> CalendarFeedToken:
    """Revoke one of `actor`'s own feed tokens: its URL answers 404 from now on."""
    require_perm(actor, "drills.change_calendarfeedtoken")
    if token.user_id != actor.pk:
        raise PermissionDenied("You can only revoke your own calendar feeds.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        save_audited(token, actor=actor)
    return token


# --- Revoked with the password, at offboarding, or by an administrator ---------------------

CALENDAR_FEED = "calendar_feed"


def calendar_token_label(token: CalendarFeedToken) -> str:
    return f"Calendar feed {token.prefix}… ({token.get_scope_display().lower()})"


def calendar_tokens_active(user: User) -> list[Credential]:
    """`user`'s feed URLs that still answer (the `core.credentials` registry)."""
    live = CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True)
    return [Credential(CALENDAR_FEED, calendar_token_label(t)) for t in live.order_by("pk")]


def _revoke(token: CalendarFeedToken, *, actor: Actor | None, reason: str) -> None:
    token.revoked_at = timezone.now()
    token._change_reason = reason  # type: ignore[attr-defined]  # read by django-simple-history, declared by no model
    save_audited(token, actor=actor)


@transaction.atomic
def calendar_tokens_revoke_all(*, user: User, actor: Actor | None) -> list[Credential]:
    """Revoke every live feed of `user` (the caller, core, checked why); return them."""
    revoked = []
    for token in CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True):
        _revoke(token, actor=actor, reason="Revoked with the account's other credentials.")
        revoked.append(Credential(CALENDAR_FEED, calendar_token_label(token)))
    return revoked


@transaction.atomic
def calendar_tokens_revoke_as_admin(*, actor: Actor, tokens: Iterable[CalendarFeedToken]) -> int:
    """An administrator revokes other people's feeds (the admin's "Revoke" action); each is
    recorded on its owner's account. Already revoked ones are left as they are."""
    require_perm(actor, REVOKE_PERMISSION)
    revoked = 0
    for token in tokens:
        if token.revoked_at is not None:
            continue
        _revoke(token, actor=actor, reason="Revoked by an administrator.")
        account_event_record(
            user=token.user,
            kind=AccountEvent.Kind.TOKEN_REVOKED,
            actor=actor,
            detail={
                "credentials": [Credential(CALENDAR_FEED, calendar_token_label(token)).as_detail()],
                "by": "admin",
            },
        )
        revoked += 1
    return revoked
