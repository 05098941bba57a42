"""The writes of the channels: notification targets (SRE Lead) and one's own inbox."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from bcp_portal.core.models import InboxItem, NotificationTarget
from bcp_portal.core.services import apply_changes, save_audited
from bcp_portal.core.typehints import Actor


@transaction.atomic
def notification_target_create(
    *, actor: Actor, name: str, kind: str, url: str, secret: str, enabled: bool = True
) -> NotificationTarget:
    if not actor.has_perm("core.add_notificationtarget"):
        raise PermissionDenied("Only the SRE Lead sets notification targets.")
    target = NotificationTarget(name=name, kind=kind, url=url, secret=secret, enabled=enabled)
    return save_audited(target, actor=actor)


@transaction.atomic
def notification_target_update(
    *,
    actor: Actor,
    target: NotificationTarget,
    name: str,
    kind: str,
    url: str,
    enabled: bool,
    secret: str = "",
) -> NotificationTarget:
    """Change a target; an empty `secret` keeps the one saved (it is never shown back)."""
    if not actor.has_perm("core.change_notificationtarget"):
        raise PermissionDenied("Only the SRE Lead sets notification targets.")
    target = NotificationTarget.objects.select_for_update().get(pk=target.pk)
    changes: dict[str, object] = {"name": name, "kind": kind, "url": url, "enabled": enabled}
    if secret:
        changes["secret"] = secret
    if apply_changes(target, changes):
        save_audited(target, actor=actor)
    return target


def inbox_mark_read(*, actor: Actor, item_id: int) -> bool:
    """Mark one of one's own inbox items read; False when it is not one's own or was read.

    Inbox rows are operational (not historised), so a guarded `update()` is the write.
    """
    return bool(
        InboxItem.objects.filter(pk=item_id, user=cast(User, actor), read_at__isnull=True).update(
            read_at=timezone.now()
        )
    )


def inbox_mark_all_read(*, actor: Actor) -> int:
    return InboxItem.objects.filter(user=cast(User, actor), read_at__isnull=True).update(
        read_at=timezone.now()
    )
