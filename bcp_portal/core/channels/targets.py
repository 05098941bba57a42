"""Finding the target a channel name points at ("webhook:ops-chat" -> the target `ops-chat`)."""

from __future__ import annotations

from bcp_portal.core.channels import ChannelError
from bcp_portal.core.models import NotificationTarget

WEBHOOK_KINDS = (NotificationTarget.Kind.SLACK, NotificationTarget.Kind.JSON)


def enabled_target(name: str, *, kinds: tuple[str, ...]) -> NotificationTarget:
    target = NotificationTarget.objects.filter(name=name, kind__in=kinds).first()
    if target is None:
        raise ChannelError(f"No notification target named {name!r} of this kind.")
    if not target.enabled:
        raise ChannelError(f"The notification target {name!r} is disabled.")
    return target
