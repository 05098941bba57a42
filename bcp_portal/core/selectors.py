from __future__ import annotations

from bcp_portal.core.models import OutboxMessage
from bcp_portal.core.panels import Panel
from bcp_portal.core.typehints import Actor


def outbox_panel(user: Actor) -> Panel | None:
    """Staff who may read the outbox see undelivered and failed notifications."""
    if not (user.is_staff and user.has_perm("core.view_outboxmessage")):
        return None
    counts = {
        status: OutboxMessage.objects.filter(status=status).count()
        for status in (OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED)
    }
    return Panel("Notifications", "dashboard/outbox_panel.html", {"counts": counts})
