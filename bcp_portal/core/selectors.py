from __future__ import annotations

from django.db.models import Count, Q

from bcp_portal.core.models import OutboxMessage
from bcp_portal.core.panels import Panel, panel
from bcp_portal.core.typehints import Actor


@panel(
    title="Notifications",
    shown_to=lambda user: user.is_staff and user.has_perm("core.view_outboxmessage"),
)
def outbox_panel(user: Actor) -> Panel | None:
    """Staff who may read the outbox see undelivered and failed notifications."""
    # Both counts in one query over the status index (sent messages are never read).
    statuses = (OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED)
    counts = OutboxMessage.objects.filter(status__in=statuses).aggregate(
        **{status.value: Count("pk", filter=Q(status=status)) for status in statuses}
    )
    return Panel("Notifications", "dashboard/outbox_panel.html", {"counts": counts})
