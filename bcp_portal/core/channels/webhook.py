"""The "webhook:<target>" channel: Slack-compatible or generic JSON, signed, idempotent.

The body is signed with HMAC-SHA256 under the target's secret, over the timestamp, a dot
and the exact bytes sent (`X-BCP-Timestamp`, `X-BCP-Signature: v1=<hex>`), so a receiver
can check both who sent it and that it is fresh; `Idempotency-Key` carries the message's
de-duplication key, the same on every retry, so a receiver drops a repeat.
docs/notifications.md shows how a receiver verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings

from bcp_portal.core.channels import ChannelError
from bcp_portal.core.channels.http import excerpt, post_json
from bcp_portal.core.channels.targets import WEBHOOK_KINDS, enabled_target
from bcp_portal.core.models import NotificationTarget, OutboxMessage

if TYPE_CHECKING:
    from bcp_portal.core.outbox import Address

TIMESTAMP_HEADER = "X-BCP-Timestamp"
SIGNATURE_HEADER = "X-BCP-Signature"
SIGNATURE_VERSION = "v1"
# How old a signed timestamp a receiver should accept (what docs/notifications.md advises).
SIGNATURE_TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={digest.hexdigest()}"


def verify(
    secret: str,
    *,
    timestamp: str,
    signed: str,
    body: bytes,
    now: float | None = None,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: a fresh timestamp and a signature that matches, compared in
    constant time."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - stamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, stamp, body), signed)


def idempotency_key(message: OutboxMessage) -> str:
    """The de-duplication key, or its SHA-256 when it is not plain ASCII a header can carry."""
    key = message.dedup_key
    if key.isascii() and key.isprintable():
        return key
    return hashlib.sha256(key.encode()).hexdigest()


def payload(message: OutboxMessage, target: NotificationTarget) -> dict[str, Any]:
    from bcp_portal.core.outbox import render

    rendered = render(message)
    if target.kind == NotificationTarget.Kind.SLACK:
        return {"text": f"*{rendered.subject}*\n{rendered.body}"}
    link = f"{settings.SITE_URL.rstrip('/')}{message.url}" if message.url else ""
    return {
        "subject": rendered.subject,
        "body": rendered.body,
        "url": link,
        "key": message.dedup_key,
        "addressee": message.addressee,
        "kind": message.kind,
        "created_at": message.created_at.isoformat(),
    }


def send(message: OutboxMessage, address: Address) -> None:
    target = enabled_target(address.address, kinds=WEBHOOK_KINDS)
    body = json.dumps(payload(message, target), ensure_ascii=False).encode()
    timestamp = int(time.time())
    answer = post_json(
        target.url,
        body,
        {
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(target.secret, timestamp, body),
            "Idempotency-Key": idempotency_key(message),
            "User-Agent": "bcp-portal-notify/1",
        },
    )
    if not 200 <= answer.status < 300:
        raise ChannelError(f"HTTP {answer.status}: {excerpt(answer)}")
