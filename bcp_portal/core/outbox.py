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
"""

from __future__ import annotations

import hashlib
import logging
import socket
import uuid
from collections.abc import Callable, Sequence
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
    channel: str
    address: str


def resolve_addresses(message: OutboxMessage) -> list[Address]:
    """Channels are resolved at delivery, so a changed email address is honoured."""
    user_model = get_user_model()
    users: list[User]
    if message.to_user is not None:
        users = [message.to_user]
    elif message.to_role_id:
        users = list(
            user_model.objects.filter(groups=message.to_role_id, is_active=True).order_by("pk")
        )
    else:
        users = []
    emails = [u.email for u in users if u.email]
    if message.to_contact is not None and message.to_contact.email:
        emails.append(message.to_contact.email)
    return [Address("email", email) for email in dict.fromkeys(emails)]


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


CHANNELS: dict[str, Callable[[OutboxMessage, Address], None]] = {"email": send_email}


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
    addresses = resolve_addresses(message)
    if addresses:
        errors = _send(message, addresses, until=send_until)
    else:
        errors = [_record_no_address(message)]
    return _finish(message, token, errors=errors)


def _send(message: OutboxMessage, addresses: list[Address], *, until: datetime) -> list[str]:
    """Send to every address not served yet, recording each try; return the errors."""
    # A retry after a partial failure (one member of a role unreachable) serves only the
    # addresses that have not had the message yet.
    served = set(message.tries.filter(ok=True).values_list("channel", "address"))
    pending = [a for a in addresses if (a.channel, a.address) not in served]
    errors: list[str] = []
    for index, address in enumerate(pending):
        if timezone.now() >= until:
            errors.append(f"{len(pending) - index} address(es) left for the next attempt.")
            break
        attempt = DeliveryAttempt.objects.create(
            message=message,
            channel=address.channel,
            address=address.address,
            worker=socket.gethostname(),
        )
        try:
            CHANNELS[address.channel](message, address)
        except Exception as exc:  # any channel failure is recorded and retried
            attempt.error = f"{type(exc).__name__}: {exc}"
            errors.append(f"{address.address}: {attempt.error}")
        else:
            attempt.ok = True
        attempt.finished_at = timezone.now()
        attempt.save(update_fields=["ok", "error", "finished_at"])
    return errors


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
