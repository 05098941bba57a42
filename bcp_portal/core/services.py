"""Shared write helpers, and the one write of the machinery's own: your settings."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from bcp_portal.core.models import UserProfile
from bcp_portal.core.typehints import Actor

M = TypeVar("M", bound=models.Model)


def save_audited(instance: M, *, actor: Actor | None, exclude: Collection[str] = ()) -> M:
    """Validate and save a historised row, recording `actor` on its history row.

    `exclude` names fields not to validate: a foreign key to a row the caller holds (the
    database checks it again) need not cost a query."""
    instance.full_clean(exclude=exclude)
    if actor is not None and getattr(actor, "is_authenticated", False):
        # django-simple-history reads this attribute, which no model declares.
        instance._history_user = actor  # type: ignore[attr-defined]
    instance.save()
    return instance


def apply_changes(instance: models.Model, changes: dict[str, Any]) -> list[str]:
    """Set fields on `instance`; return the names that really changed."""
    changed: list[str] = []
    for name, value in changes.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def profile_update(*, actor: Actor, profile: UserProfile, **fields: Any) -> UserProfile:
    if profile.user_id != actor.pk:
        raise PermissionDenied("You can only change your own settings.")
    if apply_changes(profile, fields):
        save_audited(profile, actor=actor)
    return profile
