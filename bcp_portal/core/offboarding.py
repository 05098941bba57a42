"""Offboarding a leaver in one step: deactivate, revoke, end sessions, hand work over.

What a person holds is spread over the apps (actions they own, drills they take part in,
draft reports they write; later approvals and on-call shifts), and the machinery imports
none of them. So each app registers a `Handover` from its AppConfig.ready(): a label, how
many rows the leaver holds, and a service that hands them to the successor (through the
app's own writes, so every row keeps its history). The credentials come from
`core.credentials`, the sessions from Django's session table.

`offboarding_checklist(leaver)` says what will move; `user_offboard(...)` does it all in
one transaction and records an OFFBOARDED account event with the checklist of what moved.
Only a superuser, or a user granted `core.offboard_user`, may do it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import import_module
from typing import Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from bcp_portal.core.account_events import account_event_record
from bcp_portal.core.audit import SYSTEM_USERNAME
from bcp_portal.core.credentials import credentials_active, credentials_revoke_all
from bcp_portal.core.credentials import registered as credential_kinds
from bcp_portal.core.models import AccountEvent
from bcp_portal.core.people import display_name
from bcp_portal.core.roles import ALL_ROLES
from bcp_portal.core.typehints import Actor

OFFBOARD_PERMISSION = "core.offboard_user"
REVOKE, END, HAND_OVER = "revoke", "end", "hand over"


class HandOver(Protocol):
    def __call__(self, *, actor: Actor, leaver: User, successor: User) -> int: ...


@dataclass(frozen=True)
class Handover:
    key: str
    label: str  # what the leaver holds: "Open actions they own"
    count: Callable[[User], int]
    hand_over: HandOver  # moves them to the successor, returns how many moved


_HANDOVERS: dict[str, Handover] = {}


def register(handover: Handover) -> None:
    _HANDOVERS[handover.key] = handover


def registered() -> list[Handover]:
    return list(_HANDOVERS.values())


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    count: int
    step: str  # REVOKE, END or HAND_OVER


# --- Who may, and to whom -----------------------------------------------------------------


def may_offboard(user: Actor) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(OFFBOARD_PERMISSION))


def require_may_offboard(user: Actor) -> None:
    """For the handover services too: they move other people's work, so they check again."""
    if not may_offboard(user):
        raise PermissionDenied("Only an administrator who may offboard people can do this.")


def successor_choices(leaver: User) -> QuerySet[User]:
    """Who may receive a leaver's work: active people holding a role, the leaver aside."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=ALL_ROLES)
        .exclude(pk=leaver.pk)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _check(*, actor: Actor, leaver: User, successor: User) -> None:
    if not leaver.is_active:
        raise ValidationError(f"{display_name(leaver)} is offboarded already.", code="done")
    if leaver.pk == actor.pk:
        raise ValidationError("You cannot offboard yourself.", code="self")
    if leaver.username == SYSTEM_USERNAME:
        raise ValidationError("The system account is not a person.", code="system")
    if successor.pk == leaver.pk:
        raise ValidationError(
            {"successor": "Choose someone other than the leaver to receive their work."}
        )
    if not successor.is_active:
        raise ValidationError(
            {"successor": f"{display_name(successor)} is deactivated: choose an active person."}
        )
    if not successor.groups.filter(name__in=ALL_ROLES).exists():
        raise ValidationError(
            {
                "successor": f"{display_name(successor)} holds no role, so could not work on "
                "what they would receive: choose someone with a role."
            }
        )


# --- Sessions -----------------------------------------------------------------------------


def user_session_keys(user: User) -> list[str]:
    """The keys of `user`'s unexpired sessions (database-backed sessions are decoded one by
    one: the table does not index the user; fine for the sessions of one organisation)."""
    keys = []
    live = Session.objects.filter(expire_date__gt=timezone.now())
    for session in live.iterator(chunk_size=500):
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            keys.append(session.session_key)
    return keys


def user_sessions_end(user: User) -> int:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = user_session_keys(user)
    for key in keys:
        store(session_key=key).delete()
    return len(keys)


# --- Checklist and offboarding ------------------------------------------------------------


def offboarding_checklist(leaver: User) -> list[ChecklistItem]:
    """What offboarding `leaver` would revoke, end and hand over, with counts."""
    items = [
        ChecklistItem(kind.key, kind.label, len(active), REVOKE)
        for kind, active in credentials_active(leaver)
    ]
    items.append(
        ChecklistItem("sessions", "Signed-in sessions", len(user_session_keys(leaver)), END)
    )
    items += [
        ChecklistItem(handover.key, handover.label, handover.count(leaver), HAND_OVER)
        for handover in registered()
    ]
    return items


@transaction.atomic
def user_offboard(*, actor: Actor, leaver: User, successor: User) -> AccountEvent:
    """Deactivate `leaver`, revoke their credentials, end their sessions and hand their work
    to `successor`, all or nothing; return the OFFBOARDED event (its detail: what moved)."""
    require_may_offboard(actor)
    # Lock the leaver: a second submit waits here, then finds them offboarded.
    leaver = get_user_model().objects.select_for_update().get(pk=leaver.pk)
    _check(actor=actor, leaver=leaver, successor=successor)
    moved = [
        ChecklistItem(
            handover.key,
            handover.label,
            handover.hand_over(actor=actor, leaver=leaver, successor=successor),
            HAND_OVER,
        )
        for handover in registered()
    ]
    revoked = credentials_revoke_all(user=leaver, actor=actor, reason="offboarded")
    by_kind = [
        ChecklistItem(kind.key, kind.label, sum(1 for c in revoked if c.kind == kind.key), REVOKE)
        for kind in credential_kinds()
    ]
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    ended = ChecklistItem("sessions", "Signed-in sessions", user_sessions_end(leaver), END)
    return account_event_record(
        user=leaver,
        kind=AccountEvent.Kind.OFFBOARDED,
        actor=actor,
        detail={
            "successor": {"id": successor.pk, "name": display_name(successor)},
            "checklist": [asdict(item) for item in [*by_kind, ended, *moved]],
            "revoked": [item.as_detail() for item in revoked],
        },
    )


def offboarded_checklist(event: AccountEvent) -> list[ChecklistItem]:
    """The checklist of what moved, as an OFFBOARDED event recorded it."""
    return [ChecklistItem(**item) for item in event.detail.get("checklist", [])]
