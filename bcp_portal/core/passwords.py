"""Passwords: the reset mail, whose link exists only in the mail, and the record of every
change, however it was made.

A reset request stores an outbox message of kind `password_reset` addressed to the user:
no link, no token, no key derived from one. The delivery task makes the link
(`render_password_reset`), so the link lives only in the mail the user receives.

Every change of a password is caught on the User model itself: `pre_save` compares the
hash about to be written with the stored one, `post_save` acts once the row is written.
So the password change page, a reset link, the admin's password form, `manage.py
changepassword`, a shell and any page added later are all recorded, without each having
to remember to. What counts as a change is what Django itself counts: a new password set
with `set_password()` (or the password made unusable); a hash that Django only upgraded at
sign-in (new hasher or work factor, same password) is not. A change then
(`password_change_record`):

- revokes the account's other credentials (API tokens, calendar feeds: `core.credentials`);
- appends an account event saying how it was changed (by its owner, through a reset link,
  by someone else: an administrator, or the command line), by whom and what was revoked;
- unless the owner changed it themself, mails the owner through the outbox.

Who did it comes from the request being answered (`core.current`): the signed-in user and
the page. Outside any request (a command, a task) it was someone with access to the server.
Sessions need nothing here: Django ends every other session of a user whose password hash
changed, and the password change page keeps the changer's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher, identify_hasher, is_password_usable
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from bcp_portal.core.account_events import account_event_record
from bcp_portal.core.credentials import Credential, credentials_revoke_all
from bcp_portal.core.current import current_request
from bcp_portal.core.models import AccountEvent, OutboxMessage
from bcp_portal.core.outbox import RenderedMessage, outbox_add
from bcp_portal.core.people import display_name, user_zone
from bcp_portal.core.typehints import Actor

PASSWORD_RESET_KIND = "password_reset"
RESET_SUBJECT = "Reset your BCP Portal password"
# What the outbox row says instead of the link (staff read it in the admin).
RESET_STORED_BODY = (
    "A link to choose a new password. The link is made when the mail is sent and is not stored."
)


# --- Reset ------------------------------------------------------------------------------


@transaction.atomic
def password_reset_request(*, user: User) -> OutboxMessage:
    """Queue a reset mail for `user` and record the request.

    Requests within the same minute share one mail (the key names the minute), so a
    double-click or a script cannot fill someone's mailbox faster than that.
    """
    minute = timezone.now().strftime("%Y%m%dT%H%M")
    message = outbox_add(
        key=f"password-reset:{user.pk}:{minute}",
        subject=RESET_SUBJECT,
        body=RESET_STORED_BODY,
        to_user=user,
        kind=PASSWORD_RESET_KIND,
    )
    account_event_record(
        user=user, kind=AccountEvent.Kind.PASSWORD_RESET_REQUESTED, detail={"message": message.pk}
    )
    return message


def password_reset_link(user: User) -> str:
    """A fresh reset link for `user` (valid for PASSWORD_RESET_TIMEOUT): never store it."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def render_password_reset(message: OutboxMessage) -> RenderedMessage:
    """The outbox renderer of `password_reset` messages: the link is made here, at delivery."""
    user = message.to_user
    if user is None:
        raise ValueError("A password reset message is addressed to one user.")
    if not user.is_active:
        # Deactivated (offboarded) since the request: no link for an account that is closed.
        return RenderedMessage(
            subject=message.subject,
            body="This BCP Portal account is deactivated, so no reset link was made. Ask your "
            "administrator if you need it back.",
        )
    body = loader.render_to_string(
        "registration/password_reset_email.txt",
        {
            "user": user,
            "link": password_reset_link(user),
            "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        },
    )
    return RenderedMessage(subject=message.subject, body=body)


# --- Changes ----------------------------------------------------------------------------

CHANGE_SUBJECT = "Your BCP Portal password was changed"
# The session key under which the password pages find the event of the change just made.
CHANGE_EVENT_SESSION_KEY = "bcp_password_change_event"


def connect_signals() -> None:
    """Called from CoreConfig.ready(): watch every save of a user for a new password."""
    user_model = get_user_model()
    pre_save.connect(_note_change, sender=user_model, dispatch_uid="bcp_password_pre_save")
    post_save.connect(_record_change, sender=user_model, dispatch_uid="bcp_password_post_save")


def is_password_change(old_hash: str, user: User) -> bool:
    """Whether saving `user` replaces the stored password `old_hash` with another one."""
    new_hash = user.password
    if new_hash == old_hash or not old_hash:
        # Unchanged, or a row written before its first password (nothing to replace).
        return False
    old_usable, new_usable = is_password_usable(old_hash), is_password_usable(new_hash)
    if not (old_usable or new_usable):
        return False  # one unusable marker for another: still no password
    # set_password() keeps the raw password until the save; Django's sign-in rehash clears
    # it before saving, so that an upgraded hash is not taken for a new password.
    set_by_set_password = getattr(user, "_password", None) is not None
    return set_by_set_password or not (old_usable and new_usable and _is_upgrade(old_hash))


def _is_upgrade(old_hash: str) -> bool:
    """A hash Django would upgrade at sign-in: another hasher, or a weaker work factor."""
    try:
        hasher = identify_hasher(old_hash)
    except ValueError:
        return False
    preferred = get_hasher()
    return hasher.algorithm != preferred.algorithm or preferred.must_update(old_hash)


def _note_change(
    sender: type[User],
    instance: User,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return  # last_login and the like: the password is not written
    old_hash = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True)
    stored = old_hash.first()
    if stored is not None and is_password_change(stored, instance):
        instance._bcp_password_changed = True  # type: ignore[attr-defined]  # read by _record_change


def _record_change(sender: type[User], instance: User, raw: bool = False, **kwargs: Any) -> None:
    if raw or not getattr(instance, "_bcp_password_changed", False):
        return
    instance._bcp_password_changed = False  # type: ignore[attr-defined]
    # Pages read it back to show what was revoked (password_views).
    instance._bcp_password_event = password_change_record(user=instance)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ChangeSource:
    kind: str
    actor: Actor | None
    detail: dict[str, Any] = field(default_factory=dict)


def password_change_source(user: User) -> ChangeSource:
    """How `user`'s password is being changed, read from the request being answered."""
    request = current_request()
    if request is None:
        # No request: a management command (changepassword), a task or a shell.
        return ChangeSource(AccountEvent.Kind.PASSWORD_SET_BY_STAFF, None, {"via": "server"})
    signed_in = getattr(request, "user", None)
    actor = signed_in if signed_in is not None and signed_in.is_authenticated else None
    match = request.resolver_match
    via = match.view_name if match is not None else request.path
    if match is not None and match.url_name == "password_reset_confirm":
        return ChangeSource(AccountEvent.Kind.PASSWORD_RESET, actor, {"via": via})
    if actor is not None and actor.pk == user.pk:
        return ChangeSource(AccountEvent.Kind.PASSWORD_CHANGED, actor, {"via": via})
    return ChangeSource(AccountEvent.Kind.PASSWORD_SET_BY_STAFF, actor, {"via": via})


@transaction.atomic
def password_change_record(*, user: User, source: ChangeSource | None = None) -> AccountEvent:
    """Revoke `user`'s other credentials, record the change, and tell them unless it was
    them. Runs from the User signal; `source` defaults to what the request says."""
    source = source or password_change_source(user)
    revoked = credentials_revoke_all(
        user=user, actor=source.actor, reason=source.kind, detail={"after": "password change"}
    )
    event = account_event_record(
        user=user,
        kind=source.kind,
        actor=source.actor,
        detail={**source.detail, "revoked": [item.as_detail() for item in revoked]},
    )
    if source.kind != AccountEvent.Kind.PASSWORD_CHANGED:
        password_change_notify(user=user, event=event, revoked=revoked)
    return event


def password_change_how(event: AccountEvent) -> str:
    """The change in words, for the owner's mail and pages."""
    if event.kind == AccountEvent.Kind.PASSWORD_CHANGED:
        return "by you, on the password change page"
    if event.kind == AccountEvent.Kind.PASSWORD_RESET:
        return "through a password reset link mailed to this address"
    if event.actor_id is not None:
        return f"by {display_name(event.actor)}, an administrator, not by you"
    return "by an administrator on the server (from the command line), not by you"


def password_change_notify(*, user: User, event: AccountEvent, revoked: list[Credential]) -> None:
    """Tell `user` by mail that their password was changed, how, and what was revoked."""
    body = loader.render_to_string(
        "registration/password_changed_email.txt",
        {
            "user": user,
            "at": timezone.localtime(event.at, user_zone(user)),
            "how": password_change_how(event),
            "revoked": revoked,
        },
    )
    outbox_add(key=f"password-changed:{event.pk}", subject=CHANGE_SUBJECT, body=body, to_user=user)


def revoked_in(event: AccountEvent | None) -> list[Credential]:
    """The credentials a recorded password change revoked (for its confirmation page)."""
    if event is None:
        return []
    return [Credential(**item) for item in event.detail.get("revoked", [])]
