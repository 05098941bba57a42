"""Offboarding: a leaver's place in on-call rotations and their coming overrides go to a
successor (registered with `core.offboarding` in IncidentsConfig.ready)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from bcp_portal.core.offboarding import require_may_offboard
from bcp_portal.core.people import display_name
from bcp_portal.core.typehints import Actor
from incidents.models import OnCallOverride, RotationMember


def oncall_held_by(user: User) -> int:
    """Rotation places plus overrides not ended yet."""
    places = RotationMember.objects.filter(user=user).count()
    return places + OnCallOverride.objects.filter(user=user, ends_at__gt=timezone.now()).count()


@transaction.atomic
def oncall_hand_over(*, actor: Actor, leaver: User, successor: User) -> int:
    """The successor takes the leaver's place in each rotation (the leaver's place is
    dropped where the successor is already a member) and their coming overrides."""
    require_may_offboard(actor)
    reason = f"{display_name(leaver)} left: handed over to {display_name(successor)}."
    moved = 0
    for link in RotationMember.objects.select_for_update().filter(user=leaver).order_by("pk"):
        link._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
        link._change_reason = reason  # type: ignore[attr-defined]
        if RotationMember.objects.filter(rotation=link.rotation_id, user=successor).exists():
            link.delete()
        else:
            link.user = successor
            link.save()
        moved += 1
    coming = OnCallOverride.objects.select_for_update().filter(
        user=leaver, ends_at__gt=timezone.now()
    )
    for override in coming.order_by("pk"):
        override._history_user = actor  # type: ignore[attr-defined]
        override._change_reason = reason  # type: ignore[attr-defined]
        override.user = successor
        override.save()
        moved += 1
    return moved
