"""Recording security events on accounts (see `core.models.AccountEvent`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from bcp_portal.core.audit import current_context
from bcp_portal.core.models import AccountEvent
from bcp_portal.core.typehints import Actor


def account_event_record(
    *,
    user: User,
    kind: str,
    actor: Actor | None = None,
    detail: dict[str, Any] | None = None,
) -> AccountEvent:
    """Append one event for `user`, done by `actor` (None: nobody signed in), in the
    running audit context. `detail` holds facts for the reader, never a secret."""
    if kind not in AccountEvent.Kind.values:
        raise ValueError(f"Unknown account event kind {kind!r}.")
    ctx = current_context()
    return AccountEvent.objects.create(
        user=user,
        actor=actor if isinstance(actor, User) and actor.is_authenticated else None,
        kind=kind,
        detail=detail or {},
        source=ctx.source,
        request_id=ctx.request_id,
    )
