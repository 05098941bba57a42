"""Writes of on-call: rotations (their ordered members) and overrides.

Who may do what (decided here, shown on the On call page):
- The SRE Lead (`incidents.change_oncallrotation`) creates and edits rotations and adds or
  removes any override.
- An SRE (`incidents.add_oncalloverride` only) adds an override for a swap involving
  themselves: either they take the slot (the override names them), or they hold that slot
  at the override's start and hand it to someone else (a holiday). Either way the person
  who takes the slot must hold a role (`core.roles.holds_role`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bcp_portal.contacts.models import Contact
from bcp_portal.core.roles import holds_role, require_perm
from bcp_portal.core.services import apply_changes, save_audited
from bcp_portal.core.typehints import Actor
from incidents.models import CommunicationRule, OnCallOverride, OnCallRotation, RotationMember
from incidents.oncall_selectors import on_call_at

MAX_OVERRIDE = timedelta(days=92)
MAX_MEMBERS = 50
MANAGE_PERM = "incidents.change_oncallrotation"


def _check_members(members: Sequence[User]) -> None:
    if len(members) > MAX_MEMBERS:
        raise ValidationError({"members": f"At most {MAX_MEMBERS} members."})
    if len({m.pk for m in members}) != len(members):
        raise ValidationError({"members": "A person is listed twice."})
    for member in members:
        if not holds_role(member):
            raise ValidationError(
                {"members": f"{member.get_username()} is not an active person with a role."}
            )


def _set_members(rotation: OnCallRotation, members: Sequence[User], actor: Actor) -> None:
    """Make the ordered members these (history per row: removed rows are deleted, the rest
    renumbered through save, never a bulk update)."""
    links = list(rotation.member_links.all())
    for link in links:
        link.delete()
    for position, member in enumerate(members):
        save_audited(RotationMember(rotation=rotation, user=member, position=position), actor=actor)


@transaction.atomic
def rotation_create(
    *,
    actor: Actor,
    name: str,
    starts_at: datetime,
    members: Sequence[User],
    shift_days: int = 7,
    is_active: bool = True,
) -> OnCallRotation:
    require_perm(actor, "incidents.add_oncallrotation")
    _check_members(members)
    if is_active:
        _deactivate_others(actor, keep=None)
    rotation = OnCallRotation(
        name=name, starts_at=starts_at, shift_days=shift_days, is_active=is_active
    )
    save_audited(rotation, actor=actor)
    _set_members(rotation, members, actor)
    return rotation


def _deactivate_others(actor: Actor, keep: OnCallRotation | None) -> None:
    """One rotation pages: making one active retires the other (history kept)."""
    for other in OnCallRotation.objects.select_for_update().filter(is_active=True):
        if keep is None or other.pk != keep.pk:
            other.is_active = False
            save_audited(other, actor=actor)


@transaction.atomic
def rotation_update(
    *,
    actor: Actor,
    rotation: OnCallRotation,
    members: Sequence[User] | None = None,
    **fields: object,
) -> OnCallRotation:
    require_perm(actor, MANAGE_PERM)
    unknown = set(fields) - {"name", "starts_at", "shift_days", "is_active"}
    if unknown:
        raise TypeError(f"Unknown rotation fields: {sorted(unknown)}")
    rotation = OnCallRotation.objects.select_for_update().get(pk=rotation.pk)
    if fields.get("is_active") and not rotation.is_active:
        _deactivate_others(actor, keep=rotation)
    if apply_changes(rotation, fields):
        save_audited(rotation, actor=actor)
    if members is not None:
        _check_members(members)
        _set_members(rotation, members, actor)
    return rotation


def override_may_add(
    actor: Actor, *, rotation: OnCallRotation, slot: str, user: User, starts_at: datetime
) -> bool:
    """The rule of the module docstring: the SRE Lead always; others for their own swap."""
    if not actor.is_authenticated:
        return False
    if actor.has_perm(MANAGE_PERM):
        return True
    if not actor.has_perm("incidents.add_oncalloverride"):
        return False
    if user.pk == actor.pk:
        return True
    holder = getattr(on_call_at(starts_at, rotation=rotation), slot, None)
    return holder is not None and holder.pk == actor.pk


@transaction.atomic
def override_create(
    *,
    actor: Actor,
    rotation: OnCallRotation,
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    slot: str = OnCallOverride.Slot.PRIMARY,
) -> OnCallOverride:
    """Someone else holds `slot` from `starts_at` to `ends_at` (a swap, a holiday)."""
    require_perm(actor, "incidents.add_oncalloverride")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why (a swap, a holiday)."})
    if slot not in OnCallOverride.Slot.values:
        raise ValidationError({"slot": "Choose primary or secondary."})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The override must end after it starts."})
    if ends_at - starts_at > MAX_OVERRIDE:
        raise ValidationError({"ends_at": f"An override lasts at most {MAX_OVERRIDE.days} days."})
    if not holds_role(user):
        raise ValidationError({"user": "Choose an active person with a role."})
    if not override_may_add(actor, rotation=rotation, slot=slot, user=user, starts_at=starts_at):
        raise PermissionDenied(
            "You may add an override only for a swap involving yourself: take the slot, or "
            "hand over a slot you hold. The SRE Lead manages the others."
        )
    override = OnCallOverride(
        rotation=rotation,
        slot=slot,
        user=user,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=actor if isinstance(actor, User) else None,
    )
    return save_audited(override, actor=actor)


@transaction.atomic
def override_delete(*, actor: Actor, override: OnCallOverride) -> None:
    """The SRE Lead removes an override (its history keeps it)."""
    require_perm(actor, MANAGE_PERM)
    if isinstance(actor, User):
        override._history_user = actor  # type: ignore[attr-defined]
    override.delete()


RULE_FIELDS = ("notify_within_minutes", "executive_contacts", "channels", "page_on_call")


@transaction.atomic
def communication_rule_update(
    *,
    actor: Actor,
    rule: CommunicationRule,
    roles: Iterable[Group] | None = None,
    users: Iterable[User] | None = None,
    contacts: Iterable[Contact] | None = None,
    **fields: object,
) -> CommunicationRule:
    """The SRE Lead edits a row of the communication matrix (the loader never overwrites it)."""
    require_perm(actor, "incidents.change_communicationrule")
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown matrix fields: {sorted(unknown)}")
    rule = CommunicationRule.objects.select_for_update().get(pk=rule.pk)
    apply_changes(rule, fields)
    save_audited(rule, actor=actor)
    if roles is not None:
        rule.roles.set(list(roles))
    if users is not None:
        rule.users.set(list(users))
    if contacts is not None:
        rule.contacts.set(list(contacts))
    return rule
