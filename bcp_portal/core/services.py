"""Shared write helpers, and the one write of the machinery's own: your settings."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from bcp_portal.core.models import UserProfile


def save_audited(instance: models.Model, *, actor) -> models.Model:
    """Validate and save a historised row, recording `actor` on its history row."""
    instance.full_clean()
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor
    instance.save()
    return instance


def apply_changes(instance: models.Model, changes: dict[str, Any]) -> list[str]:
    """Set fields on `instance`; return the names that really changed."""
    changed = []
    for name, value in changes.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def profile_update(*, actor, profile: UserProfile, **fields: Any) -> UserProfile:
    if profile.user_id != actor.pk:
        raise PermissionDenied("You can only change your own settings.")
    if apply_changes(profile, fields):
        save_audited(profile, actor=actor)
    return profile
