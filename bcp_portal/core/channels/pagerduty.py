"""The "pagerduty:<target>" channel: PagerDuty Events API v2.

One `trigger` event per message whose `dedup_key` is the message's key, so a retry (or a
second addressee reaching the same target) updates the one alert instead of opening
another. The severity comes from the P0-P3 the message's subject carries (the incident
pages say "P1 incident ..."), else `DEFAULT_SEVERITY`. PagerDuty answers 202 when it took
the event; anything else is a failure the outbox retries.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings

from bcp_portal.core.channels import ChannelError
from bcp_portal.core.channels.http import excerpt, post_json
from bcp_portal.core.channels.targets import enabled_target
from bcp_portal.core.models import NotificationTarget, OutboxMessage

if TYPE_CHECKING:
    from bcp_portal.core.outbox import Address

DEFAULT_ENDPOINT = "https://events.pagerduty.com/v2/enqueue"
SEVERITIES = {"P0": "critical", "P1": "error", "P2": "warning", "P3": "info"}
DEFAULT_SEVERITY = "error"
_PRIORITY = re.compile(r"\b(P[0-3])\b")


def severity(subject: str) -> str:
    found = _PRIORITY.search(subject)
    return SEVERITIES[found.group(1)] if found else DEFAULT_SEVERITY


def event(message: OutboxMessage, target: NotificationTarget) -> dict[str, Any]:
    from bcp_portal.core.outbox import render

    rendered = render(message)
    site = settings.SITE_URL.rstrip("/")
    result: dict[str, Any] = {
        "routing_key": target.secret,
        "event_action": "trigger",
        "dedup_key": message.dedup_key,
        "payload": {
            "summary": rendered.subject[:1024] or message.dedup_key,
            "source": urlsplit(site).hostname or "bcp-portal",
            "severity": severity(rendered.subject),
            "component": "bcp-portal",
            "custom_details": {"body": rendered.body, "addressee": message.addressee},
        },
    }
    if message.url:
        result["links"] = [{"href": f"{site}{message.url}", "text": "Open in the portal"}]
    return result


def send(message: OutboxMessage, address: Address) -> None:
    target = enabled_target(address.address, kinds=(NotificationTarget.Kind.PAGERDUTY,))
    body = json.dumps(event(message, target)).encode()
    answer = post_json(target.url, body, {"User-Agent": "bcp-portal-notify/1"})
    if answer.status != 202:
        raise ChannelError(f"HTTP {answer.status}: {excerpt(answer)}")
