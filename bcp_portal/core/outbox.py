"""The notification outbox: add in the caller's transaction, deliver from a task.

A message is added with a unique de-duplication key in the same transaction as the change
that causes it; the same key twice is one message. After commit its delivery task is
published with a bounded publish (a refused connection fails at once, an unresponsive
broker costs a request the socket timeouts, never a hang); whatever was not published, or
failed and is due again, is taken by the periodic sweep. Delivery claims the row with a
compare-and-swap `update()`, so two workers never send the same message.

A message that carries a secret (a password reset link, any one-time token) is stored as a
`kind` and its addressee only: its registered renderer makes the subject and body inside the
delivery task, so no column, de-duplication key or admin page ever holds the secret.

The one crash window: a worker that dies after the mail server accepted a message and
before the delivery attempt is recorded leaves the claim to expire; the sweep then sends
again. So a duplicate is possible only there (a retry skips addresses already served), and
webhooks carry the de-duplication key as their idempotency key so receivers can drop it.

Each addressee has a chain of channels (the message's `channels`, else their own preference,
else email; email always last): they are tried in order until one delivers, every try a
`DeliveryAttempt`. When an addressee's whole chain fails the message stays pending and is
retried with backoff, and the retry skips whoever was served on any channel.
docs/notifications.md.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from bcp_portal.core.models import DeliveryAttempt, OutboxMessage
from bcp_portal.core.tasking import publish
from bcp_portal.core.text import one_line

logger = logging.getLogger(__name__)

RETRY_BACKOFF_SECONDS = (60, 5 * 60, 30 * 60, 2 * 60 * 60, 6 * 60 * 60)
# A CharField always has a max_length (the type says `int | None` for every field).
KEY_MAX_LENGTH = cast(int, OutboxMessage._meta.get_field("dedup_key").max_length)
CHANNEL_MAX_LENGTH = cast(int, DeliveryAttempt._meta.get_field("channel").max_length)
ADDRESS_MAX_LENGTH = cast(int, DeliveryAttempt._meta.get_field("address").max_length)
# The channel of the failed attempt recorded when a message resolves to nobody.
NO_ADDRESS_CHANNEL = "none"


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str


# kind -> what makes the message at delivery; filled from AppConfig.ready().
Renderer = Callable[[OutboxMessage], RenderedMessage]
_RENDERERS: dict[str, Renderer] = {}


def register_renderer(kind: str, renderer: Renderer) -> None:
    """Messages of `kind` are made by `renderer` when they are sent, never stored whole."""
    _RENDERERS[kind] = renderer


def outbox_add(
    *,
    key: str,
    subject: str,
    body: str,
    to_user: User | None = None,
    to_role: Group | str | None = None,
    # A contact from the directory (bcp_portal.contacts), which the machinery does not import.
    to_contact: Any = None,
    url: str = "",
    kind: str = "",
    channels: Sequence[str] = (),
) -> OutboxMessage:
    """Add a message unless one with `key` exists; deliver it once the caller commits.

    With `kind`, the registered renderer makes the message at delivery: `subject` and `body`
    are then what staff see in the admin, and must not hold the secret (nor must `key`).
    `channels` is the fallback chain to try in order (names such as "email", "inapp",
    "webhook:<target>", "pagerduty:<target>"); empty means the addressee's own preference.
    """
    if kind and kind not in _RENDERERS:
        raise ValueError(f"No renderer is registered for outbox messages of kind {kind!r}.")
    if isinstance(to_role, str):
        to_role = Group.objects.get(name=to_role)
    if sum(x is not None for x in (to_user, to_role, to_contact)) != 1:
        raise ValueError("A message addresses exactly one user, role or contact.")
    key = _storable_key(key)
    existing = OutboxMessage.objects.filter(dedup_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                dedup_key=key,
                # A subject is one header line: a title with a line break must not stop it.
                subject=one_line(subject)[:255],
                body=body,
                url=url,
                kind=kind,
                channels=list(channels),
                to_user=to_user,
                to_role=to_role,
                to_contact=to_contact,
            )
    except IntegrityError:
        # A concurrent transaction added the same key first: that one is the message.
        return OutboxMessage.objects.get(dedup_key=key)
    transaction.on_commit(lambda: publish_delivery(message.pk))
    return message


def outbox_add_new(planned: list[tuple[str, dict[str, Any]]]) -> int:
    """Add each planned (key, message) whose key is not in the outbox yet; how many were.

    The periodic reminder jobs plan every message a window calls for and let the key be the
    done marker: one read of the keys already queued, then `outbox_add` for the rest. Keys
    are compared as stored (a long key is shortened the same way), so a job run twice adds
    nothing new.
    """
    stored = [(_storable_key(key), message) for key, message in planned]
    queued = set(
        OutboxMessage.objects.filter(dedup_key__in=[key for key, _ in stored]).values_list(
            "dedup_key", flat=True
        )
    )
    added = 0
    for key, message in stored:
        if key not in queued:
            outbox_add(key=key, **message)
            queued.add(key)
            added += 1
    return added


def _storable_key(key: str) -> str:
    """Fit a long key into the column without letting two different keys collide."""
    if len(key) <= KEY_MAX_LENGTH:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: KEY_MAX_LENGTH - len(digest) - 1]}#{digest}"


def publish_delivery(message_id: int) -> bool:
    """Publish the delivery task, bounded; on failure the sweep picks the message up."""
    # Imported here: the tasks module imports this one.
    from bcp_portal.core.tasks import deliver_outbox_message

    return publish(deliver_outbox_message, message_id=message_id)


# --- Delivery -------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    """One channel to one place: ("email", an address), ("inapp", a username, the user's
    id), ("webhook:ops", "ops"), ("pagerduty:oncall", "oncall")."""

    channel: str
    address: str
    user_id: int | None = None


@dataclass(frozen=True)
class Recipient:
    """One addressee of a message and the chain of channels to try for them, in order."""

    key: str  # "user:7" or "contact:3": what a retry checks before sending again
    label: str
    addresses: tuple[Address, ...]


EMAIL = "email"
INAPP = "inapp"
# Channels that reach a place, not a person: one post serves every addressee whose chain
# reaches it (their own chains still decide whether it is tried).
SHARED_CHANNELS = ("webhook", "pagerduty")


def channel_type(channel: str) -> str:
    return channel.split(":", 1)[0]


def chain_for(message: OutboxMessage, user: User | None) -> list[str]:
    """The message's channels, else the person's preference, else email; email always last.

    Email is the last resort of every chain (the runbook's communication failover): a chain
    that names no email gets it appended.
    """
    chain = list(message.channels or [])
    if not chain and user is not None:
        profile = getattr(user, "profile", None)
        preference = getattr(profile, "notify_channels", "") or EMAIL
        chain = preference.split(",")
    if EMAIL not in chain:
        chain.append(EMAIL)
    return list(dict.fromkeys(chain))


def _addresses(
    message: OutboxMessage, chain: list[str], *, user: User | None, email: str
) -> Iterator[Address]:
    """The chain as addresses this addressee can be reached at (unusable links dropped)."""
    for channel in chain:
        kind = channel_type(channel)
        if kind == EMAIL and email:
            yield Address(EMAIL, email)
        elif kind == INAPP and user is not None and not message.kind:
            yield Address(INAPP, user.get_username(), user_id=user.pk)
        elif kind in SHARED_CHANNELS and ":" in channel:
            yield Address(channel, channel.split(":", 1)[1])
        elif kind not in (EMAIL, INAPP):
            # A name no channel answers to (a typo in a sender's list): tried, so that the
            # failure is recorded and shows, and the chain goes on.
            yield Address(channel, "")


def resolve_recipients(message: OutboxMessage) -> list[Recipient]:
    """Addressees and their chains, resolved at delivery, so changed addresses and
    preferences are honoured. An addressee with no usable channel is left out."""
    user_model = get_user_model()
    users: list[User]
    if message.to_user is not None:
        users = [message.to_user]
    elif message.to_role_id:
        users = list(
            user_model.objects.filter(groups=message.to_role_id, is_active=True)
            .select_related("profile")
            .order_by("pk")
        )
    else:
        users = []
    recipients = [
        Recipient(
            f"user:{user.pk}",
            f"user {user.get_username()}",
            tuple(_addresses(message, chain_for(message, user), user=user, email=user.email)),
        )
        for user in users
    ]
    contact = message.to_contact
    if contact is not None:
        chain = chain_for(message, None)
        recipients.append(
            Recipient(
                f"contact:{contact.pk}",
                f"contact {contact}",
                tuple(_addresses(message, chain, user=None, email=contact.email)),
            )
        )
    return [r for r in recipients if r.addresses]


def resolve_addresses(message: OutboxMessage) -> list[Address]:
    """Every address a delivery would try, recipients and chains flattened (for display)."""
    return list(dict.fromkeys(a for r in resolve_recipients(message) for a in r.addresses))


def render(message: OutboxMessage) -> RenderedMessage:
    """What is sent: the stored text (and link), or what the kind's renderer makes now."""
    if message.kind:
        return _RENDERERS[message.kind](message)
    body = message.body
    if message.url:
        body = f"{body}\n\n{settings.SITE_URL.rstrip('/')}{message.url}"
    return RenderedMessage(subject=message.subject, body=body)


def send_email(message: OutboxMessage, address: Address) -> None:
    rendered = render(message)
    EmailMessage(
        # Flattened again: a row stored before subjects were flattened must still go out.
        subject=one_line(rendered.subject),
        body=rendered.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address.address],
        headers={"X-BCP-Message-Key": message.dedup_key},
    ).send(fail_silently=False)


# Channel type -> sender; a sender raises on failure. The other channels register from
# CoreConfig.ready() (bcp_portal.core.channels).
Sender = Callable[[OutboxMessage, Address], None]
CHANNELS: dict[str, Sender] = {EMAIL: send_email}


def claim(message_id: int, *, now: datetime | None = None) -> uuid.UUID | None:
    """Take the message for delivery; None if another worker has it or it is done."""
    now = now or timezone.now()
    token = uuid.uuid4()
    lease_expired = now - timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS)
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, next_attempt_at__lte=now)
        .filter(_claimable(lease_expired))
        .update(status=OutboxMessage.Status.SENDING, claimed_at=now, claim_token=token)
    )
    return token if claimed == 1 else None


def _claimable(lease_expired: datetime) -> Q:
    """Pending, or claimed by a worker whose lease ran out (it died mid-delivery)."""
    return Q(status=OutboxMessage.Status.PENDING) | Q(
        status=OutboxMessage.Status.SENDING, claimed_at__lt=lease_expired
    )


def deliver(message_id: int) -> str:
    """Deliver one message if it can be claimed: "skipped", or the status it ends in."""
    claimed_at = timezone.now()
    token = claim(message_id, now=claimed_at)
    if token is None:
        return "skipped"
    # Past the lease the sweep may hand the message to another worker: start no send after
    # half of it, and leave the rest of a long role list to the next attempt.
    send_until = claimed_at + timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS / 2)
    message = OutboxMessage.objects.select_related("to_user", "to_role", "to_contact").get(
        pk=message_id
    )
    recipients = resolve_recipients(message)
    if recipients:
        errors = _send(message, recipients, until=send_until)
    else:
        errors = [_record_no_address(message)]
    return _finish(message, token, errors=errors)


def _send(message: OutboxMessage, recipients: list[Recipient], *, until: datetime) -> list[str]:
    """Serve every addressee not served yet along their chain; return the errors.

    For each addressee the chain's channels are tried in order until one succeeds, each try
    a `DeliveryAttempt`. An addressee served on any channel, in this attempt or an earlier
    one, is never sent to again; a shared channel (a webhook, PagerDuty) is posted to once
    per message and serves every addressee whose chain reaches it.
    """
    done = list(message.tries.filter(ok=True).values_list("recipient", "channel", "address"))
    served_keys = {recipient for recipient, _, _ in done if recipient}
    served_places = {(channel, address) for _, channel, address in done}
    # A shared channel that failed in this attempt is not tried again for the next person.
    shared_failed: dict[str, str] = {}

    def served(recipient: Recipient) -> bool:
        return recipient.key in served_keys or any(
            (a.channel, a.address) in served_places for a in recipient.addresses
        )

    pending = [r for r in recipients if not served(r)]
    errors: list[str] = []
    for index, recipient in enumerate(pending):
        if timezone.now() >= until:
            errors.append(f"{len(pending) - index} address(es) left for the next attempt.")
            break
        failures: list[str] = []
        for address in recipient.addresses:
            place = (address.channel, address.address)
            if place in served_places:
                break
            if address.channel in shared_failed:
                failures.append(f"{address.channel}: {shared_failed[address.channel]}")
                continue
            error = _try(message, recipient, address)
            if error is None:
                served_places.add(place)
                break
            if channel_type(address.channel) in SHARED_CHANNELS:
                shared_failed[address.channel] = error
            failures.append(f"{address.channel} {address.address}: {error}")
        else:
            errors.append("; ".join(failures))
    return errors


def _try(message: OutboxMessage, recipient: Recipient, address: Address) -> str | None:
    """One try on one channel, recorded; the error, or None when it was delivered."""
    attempt = DeliveryAttempt.objects.create(
        message=message,
        # Cut to the columns: a sender's overlong channel name must fail as a try, not crash.
        channel=address.channel[:CHANNEL_MAX_LENGTH],
        address=address.address[:ADDRESS_MAX_LENGTH],
        recipient=recipient.key,
        worker=socket.gethostname(),
    )
    sender = CHANNELS.get(channel_type(address.channel))
    try:
        if sender is None:
            raise LookupError(f"No channel named {address.channel!r}.")
        sender(message, address)
    except Exception as exc:  # any channel failure is recorded; the next channel is tried
        attempt.error = f"{type(exc).__name__}: {exc}"
        logger.info("Outbox message %s: %s failed: %s", message.pk, address.channel, exc)
    else:
        attempt.ok = True
    attempt.finished_at = timezone.now()
    attempt.save(update_fields=["ok", "error", "finished_at"])
    return None if attempt.ok else attempt.error


def _record_no_address(message: OutboxMessage) -> str:
    """A message that resolves to nobody is a failed attempt, retried, never dropped."""
    error = f"No address to deliver to for {message.addressee}."
    DeliveryAttempt.objects.create(
        message=message,
        channel=NO_ADDRESS_CHANNEL,
        error=error,
        worker=socket.gethostname(),
        finished_at=timezone.now(),
    )
    return error


def _finish(message: OutboxMessage, token: uuid.UUID, *, errors: list[str]) -> str:
    now = timezone.now()
    attempts = message.attempts + 1
    fields: dict[str, Any]
    if not errors:
        fields = {"status": OutboxMessage.Status.SENT, "sent_at": now, "last_error": ""}
    elif attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        fields = {"status": OutboxMessage.Status.FAILED, "last_error": "\n".join(errors)}
        logger.error("Outbox message %s failed for good: %s", message.pk, errors)
    else:
        backoff = RETRY_BACKOFF_SECONDS[min(attempts - 1, len(RETRY_BACKOFF_SECONDS) - 1)]
        fields = {
            "status": OutboxMessage.Status.PENDING,
            "next_attempt_at": now + timedelta(seconds=backoff),
            "last_error": "\n".join(errors),
        }
    # Only the holder of the claim may finish it.
    finished = OutboxMessage.objects.filter(pk=message.pk, claim_token=token).update(
        attempts=attempts, claimed_at=None, claim_token=None, **fields
    )
    if not finished:
        # This delivery outlived its lease and another worker took the message over.
        logger.warning("Outbox message %s: claim lost before it was finished", message.pk)
    return str(fields["status"])


def due_message_ids(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    lease_expired = now - timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS)
    return list(
        OutboxMessage.objects.filter(next_attempt_at__lte=now)
        .filter(_claimable(lease_expired))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def requeue(*, message_id: int) -> bool:
    """Make a failed or pending message due now (an operator's "retry") and publish it."""
    updated = OutboxMessage.objects.filter(
        pk=message_id, status__in=[OutboxMessage.Status.FAILED, OutboxMessage.Status.PENDING]
    ).update(status=OutboxMessage.Status.PENDING, next_attempt_at=timezone.now(), attempts=0)
    if updated:
        transaction.on_commit(lambda: publish_delivery(message_id))
    return bool(updated)
