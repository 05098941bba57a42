"""Credentials besides the password (API tokens, calendar feed links, whatever comes next),
revoked together when the password changes or is reset and when a leaver is offboarded.

Each kind lives in the app that owns it (knox tokens in `core.api`, feed tokens in
`drills`) and registers a `CredentialKind` here from its AppConfig.ready(), so the
machinery revokes them all without importing the apps above it. A revocation is recorded
as one CREDENTIALS_REVOKED account event naming each credential by its label (a prefix,
never the secret).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.auth.models import User
from django.db import transaction

from bcp_portal.core.account_events import account_event_record
from bcp_portal.core.models import AccountEvent
from bcp_portal.core.typehints import Actor


@dataclass(frozen=True)
class Credential:
    """One credential as people may see it: its kind and a label with no secret in it."""

    kind: str
    label: str

    def as_detail(self) -> dict[str, str]:
        return {"kind": self.kind, "label": self.label}


class RevokeAll(Protocol):
    def __call__(self, *, user: User, actor: Actor | None) -> list[Credential]: ...


@dataclass(frozen=True)
class CredentialKind:
    key: str
    label: str  # plural, for checklists: "API tokens"
    active: Callable[[User], list[Credential]]  # what still opens something
    revoke_all: RevokeAll  # revokes every active one of `user`, returns them


_KINDS: dict[str, CredentialKind] = {}
# Revoking someone else's credential (the admin's "Revoke" action); no role holds it.
REVOKE_PERMISSION = "core.revoke_credentials"


def may_revoke_credentials(user: Actor) -> bool:
    return bool(user.is_authenticated and user.has_perm(REVOKE_PERMISSION))


def register(kind: CredentialKind) -> None:
    _KINDS[kind.key] = kind


def registered() -> list[CredentialKind]:
    return list(_KINDS.values())


def credentials_active(user: User) -> list[tuple[CredentialKind, list[Credential]]]:
    """Each registered kind with `user`'s credentials of it that still work."""
    return [(kind, kind.active(user)) for kind in registered()]


@transaction.atomic
def credentials_revoke_all(
    *, user: User, actor: Actor | None, reason: str, detail: dict[str, Any] | None = None
) -> list[Credential]:
    """Revoke every credential of `user`; record what went (nothing recorded if none)."""
    revoked = [item for kind in registered() for item in kind.revoke_all(user=user, actor=actor)]
    if revoked:
        account_event_record(
            user=user,
            kind=AccountEvent.Kind.CREDENTIALS_REVOKED,
            actor=actor,
            detail={
                "reason": reason,
                "credentials": [item.as_detail() for item in revoked],
                **(detail or {}),
            },
        )
    return revoked
