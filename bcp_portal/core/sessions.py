"""Session lifetimes: an idle timeout and an absolute one.

A signed-in session records when it signed in and when it was last used. A request after
`SESSION_IDLE_MINUTES` without one, or `SESSION_ABSOLUTE_HOURS` after signing in, finds the
session signed out (`core.middleware.SessionTimeoutMiddleware`): a browser left open on a
shared desk, or a stolen cookie, stops working by itself. "Last used" is written at most
once a minute, so an active session does not write on every request.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import SessionBase
from django.dispatch import receiver
from django.http import HttpRequest

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
TOUCH_EVERY_SECONDS = 60


def session_start(session: SessionBase, now: float | None = None) -> None:
    now = time.time() if now is None else now
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN_AT] = now


@receiver(user_logged_in)
def start_on_sign_in(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_start(request.session)


def session_expiry(session: SessionBase, now: float | None = None) -> str:
    """Why this signed-in session is over ("" while it is not), and mark it used."""
    now = time.time() if now is None else now
    signed_in = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN_AT)
    if not isinstance(signed_in, int | float) or not isinstance(last_seen, int | float):
        session_start(session, now)  # a session from before timeouts existed
        return ""
    if now - signed_in > settings.SESSION_ABSOLUTE_HOURS * 3600:
        return f"{settings.SESSION_ABSOLUTE_HOURS} hours signed in"
    if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
        return f"{settings.SESSION_IDLE_MINUTES} minutes without activity"
    if now - last_seen >= TOUCH_EVERY_SECONDS:
        session[LAST_SEEN_AT] = now
    return ""
