"""Personal iCalendar feed tokens: created with a secret shown once, stored as a digest, revoked."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

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
