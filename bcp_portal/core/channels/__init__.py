"""The outbox's channels besides email: webhooks, PagerDuty Events v2 and the in-app inbox.

Each module holds one sender `(message, address) -> None` that raises on failure; the
outbox (`bcp_portal.core.outbox`) tries a recipient's chain in order, records every try as
a `DeliveryAttempt` and stops at the first success. `netguard` decides where the portal may
send at all, and `http` sends there with the address it checked. docs/notifications.md.
"""

from __future__ import annotations


class ChannelError(Exception):
    """A channel could not deliver: the outbox records it and tries the next one."""
