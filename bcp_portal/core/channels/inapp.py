"""The "inapp" channel: a row in the person's inbox (at most one per message and person).

A message made at delivery (`kind`: it carries a secret, such as a reset link) never goes
to an inbox, whose rows are stored: the outbox leaves this channel out of its chain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bcp_portal.core.channels import ChannelError
from bcp_portal.core.models import InboxItem, OutboxMessage

if TYPE_CHECKING:
    from bcp_portal.core.outbox import Address


def send(message: OutboxMessage, address: Address) -> None:
    if address.user_id is None:
        raise ChannelError("Only portal users have an inbox.")
    if message.kind:
        raise ChannelError("A message carrying a secret is never stored in an inbox.")
    InboxItem.objects.get_or_create(
        user_id=address.user_id,
        message=message,
        defaults={"subject": message.subject, "body": message.body, "url": message.url},
    )
