"""Demo content of the outbox's channels: a disabled chat target to look at (set by the demo
SRE Lead through the service, so its history says who), and a welcome message in every demo
user's in-app inbox. Idempotent: the target's name and the message's subject are the markers."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model

from bcp_portal.core.channels.services import notification_target_create
from bcp_portal.core.models import InboxItem, NotificationTarget

TARGET_NAME = "ops-chat"
WELCOME_SUBJECT = "Welcome to the portal's inbox"


def load_demo_notifications(out: Any) -> None:
    users = get_user_model().objects.filter(is_active=True, groups__isnull=False).distinct()
    lead = users.filter(username="srelead").first()
    if lead is not None and not NotificationTarget.objects.filter(name=TARGET_NAME).exists():
        notification_target_create(
            actor=lead,
            name=TARGET_NAME,
            kind=NotificationTarget.Kind.SLACK,
            url="http://127.0.0.1:9/hooks/ops-chat",
            secret=secrets.token_urlsafe(24),
            enabled=False,
        )
        out.write(f"Notifications: chat target {TARGET_NAME} (disabled)")
    for user in users:
        InboxItem.objects.get_or_create(
            user=user,
            message=None,
            subject=WELCOME_SUBJECT,
            defaults={
                "body": "Choose in your settings whether notifications come here first or by "
                "email; email is always the fallback.",
                "url": "/accounts/settings/",
            },
        )
