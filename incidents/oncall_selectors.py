"""Reads of on-call: who holds primary and secondary at an instant (an override wins over
the rotation), the shifts of the coming weeks, the communication matrix, and what a person
is asked to acknowledge."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from bcp_portal.catalogue.selectors import organisation_zone
from incidents.models import (
    CommunicationRule,
    Escalation,
    EscalationPage,
    OnCallOverride,
    OnCallRotation,
    RotationMember,
    StakeholderNotice,
)
from incidents.oncall import Shift, shift_at, shift_index

ROTA_WEEKS = 4
# What the on-call page reads of an override and of a person it names.
OVERRIDE_COLUMNS = ("rotation", "slot", "user", "starts_at", "ends_at", "reason", "created_by",
                    "created_at")  # fmt: skip
NAME_COLUMNS = ("username", "first_name", "last_name")


@dataclass
class OnCall:
    """Who is on call at `at`: primary and secondary (None when nobody), and why."""

    at: datetime
    rotation: OnCallRotation | None
    primary: User | None = None
    secondary: User | None = None
    primary_override: OnCallOverride | None = None
    secondary_override: OnCallOverride | None = None


@dataclass
class RotaShift:
    shift: Shift
    primary: User | None
    secondary: User | None
    overrides: list[OnCallOverride] = field(default_factory=list)


def active_rotation() -> OnCallRotation | None:
    """The rotation that pages (the database keeps at most one active)."""
    members = Prefetch(
        "member_links",
        queryset=RotationMember.objects.select_related("user").order_by("position"),
        to_attr="member_list",
    )
    return OnCallRotation.objects.filter(is_active=True).prefetch_related(members).first()


def active_rotation_with_members() -> OnCallRotation | None:
    """`active_rotation()` in one query when it has members (the page's common case): its
    member links with their rotation and person, in order; the rotation alone otherwise."""
    links = list(
        RotationMember.objects.filter(rotation__is_active=True)
        .select_related("rotation", "user")
        .order_by("position")
    )
    if not links:
        return active_rotation()
    rotation = links[0].rotation
    rotation.member_list = links  # type: ignore[attr-defined]
    return rotation


def _members(rotation: OnCallRotation) -> list[User]:
    links = getattr(rotation, "member_list", None)
    if links is None:
        links = list(rotation.member_links.select_related("user").order_by("position"))
    return [link.user for link in links]


def _overrides(rotation: OnCallRotation, start: datetime, end: datetime) -> list[OnCallOverride]:
    return list(
        OnCallOverride.objects.filter(rotation=rotation, starts_at__lt=end, ends_at__gt=start)
        .select_related("user")
        .order_by("starts_at", "created_at", "pk")
    )


def overrides_between(
    rotation: OnCallRotation, start: datetime, end: datetime
) -> list[OnCallOverride]:
    """The rotation's overrides overlapping [start, end), people selected."""
    return _overrides(rotation, start, end)


def _winning(overrides: list[OnCallOverride], slot: str, at: datetime) -> OnCallOverride | None:
    """The override of `slot` covering `at`; of several, the one added last wins."""
    covering = [o for o in overrides if o.slot == slot and o.starts_at <= at < o.ends_at]
    return max(covering, key=lambda o: (o.created_at, o.pk)) if covering else None


def on_call_at(
    instant: datetime,
    rotation: OnCallRotation | None = None,
    *,
    overrides: list[OnCallOverride] | None = None,
    zone: tzinfo | None = None,
) -> OnCall:
    """Primary and secondary at `instant` (override wins); nobody when no rotation.

    `overrides` (any that include those covering `instant`) and `zone` (the organisation's)
    when the caller has read them already (the on-call page reads them once for the rota)."""
    rotation = rotation or active_rotation()
    result = OnCall(at=instant, rotation=rotation)
    if rotation is None:
        return result
    members = _members(rotation)
    by_id = {u.pk: u for u in members}
    zone = zone or organisation_zone()
    index = shift_index(rotation.starts_at, rotation.shift_days, instant, zone)
    shift = shift_at(rotation.starts_at, rotation.shift_days, [u.pk for u in members], index, zone)
    result.primary = by_id.get(shift.primary_id) if shift.primary_id else None
    result.secondary = by_id.get(shift.secondary_id) if shift.secondary_id else None
    if overrides is None:
        overrides = _overrides(rotation, instant, instant + timedelta(microseconds=1))
    for slot in (OnCallOverride.Slot.PRIMARY, OnCallOverride.Slot.SECONDARY):
        winner = _winning(overrides, slot, instant)
        if winner is not None:
            setattr(result, slot, winner.user)
            setattr(result, f"{slot}_override", winner)
    return result


def rota(
    *,
    start: datetime | None = None,
    weeks: int = ROTA_WEEKS,
    rotation: OnCallRotation | None = None,
    overrides: list[OnCallOverride] | None = None,
    zone: tzinfo | None = None,
) -> list[RotaShift]:
    """The shifts from the one holding `start` (default now) for `weeks`, each with the
    overrides that fall in it. Three queries whatever the number of shifts (fewer when the
    caller gives the overrides of those weeks, `overrides_between`, and the zone)."""
    rotation = rotation or active_rotation()
    if rotation is None:
        return []
    start = start or timezone.now()
    end = start + timedelta(weeks=weeks)
    members = _members(rotation)
    if not members:
        return []
    by_id = {u.pk: u for u in members}
    ids = [u.pk for u in members]
    zone = zone or organisation_zone()
    index = max(shift_index(rotation.starts_at, rotation.shift_days, start, zone), 0)
    if overrides is None:
        overrides = _overrides(rotation, start, end)
    shifts: list[RotaShift] = []
    while True:
        shift = shift_at(rotation.starts_at, rotation.shift_days, ids, index, zone)
        if shift.starts_at >= end:
            break
        shifts.append(
            RotaShift(
                shift=shift,
                primary=by_id.get(shift.primary_id) if shift.primary_id else None,
                secondary=by_id.get(shift.secondary_id) if shift.secondary_id else None,
                overrides=[
                    o
                    for o in overrides
                    if o.starts_at < shift.ends_at and o.ends_at > shift.starts_at
                ],
            )
        )
        index += 1
    return shifts


def upcoming_overrides(*, now: datetime | None = None) -> QuerySet[OnCallOverride]:
    """Overrides not over yet, soonest first (the `override_upcoming` index finds them), with
    the names of who holds and who added each (only the columns a list shows)."""
    now = now or timezone.now()
    return (
        OnCallOverride.objects.filter(ends_at__gt=now)
        .select_related("user", "created_by")
        .only(
            *OVERRIDE_COLUMNS,
            *(f"user__{name}" for name in NAME_COLUMNS),
            *(f"created_by__{name}" for name in NAME_COLUMNS),
        )
        .order_by("starts_at", "pk")
    )


@dataclass
class OnCallPage:
    """What the on-call page shows: the overrides it lists (the first `limit` not over yet)
    and those of the active rotation within the rota's weeks, read in one query when the
    list holds them all (it is ordered by start, so it does unless the rota's weeks hold
    more than the list shows)."""

    listed: list[OnCallOverride]
    rota: list[OnCallOverride]


def oncall_page_overrides(
    rotation: OnCallRotation | None, *, now: datetime, weeks: int = ROTA_WEEKS, limit: int = 50
) -> OnCallPage:
    listed = list(upcoming_overrides(now=now)[: limit + 1])
    complete = len(listed) <= limit
    listed = listed[:limit]
    if rotation is None:
        return OnCallPage(listed=listed, rota=[])
    end = now + timedelta(weeks=weeks)
    if complete or listed[-1].starts_at >= end:
        window = [o for o in listed if o.rotation_id == rotation.pk and o.starts_at < end]
        window.sort(key=lambda o: (o.starts_at, o.created_at, o.pk))
    else:
        window = _overrides(rotation, now, end)
    return OnCallPage(listed=listed, rota=window)


def communication_matrix() -> list[CommunicationRule]:
    return list(
        CommunicationRule.objects.prefetch_related("roles", "users", "contacts").order_by(
            "severity"
        )
    )


def pages_awaiting(user: User) -> QuerySet[EscalationPage]:
    """Pages sent to `user` that nobody has acknowledged while the chain still runs."""
    return (
        EscalationPage.objects.filter(
            user=user,
            acknowledged_at__isnull=True,
            escalation__stopped_at__isnull=True,
        )
        .select_related("escalation__incident")
        .order_by("-paged_at")
    )


@dataclass
class EscalationState:
    """What `includes/detail_escalation.html` shows of one incident."""

    incident_id: int
    escalation: Escalation | None
    pages: list[EscalationPage]
    notices: list[StakeholderNotice]

    @property
    def missed(self) -> list[StakeholderNotice]:
        return [n for n in self.notices if n.missed]


def escalation_state(incident_id: int) -> EscalationState:
    """An incident's chain (who was paged when, who acknowledged) and its notices with
    their deadlines. Three queries."""
    escalation = Escalation.objects.filter(incident_id=incident_id).first()
    pages = (
        list(
            EscalationPage.objects.filter(escalation=escalation)
            .select_related("user", "contact", "message")
            .order_by("paged_at", "pk")
        )
        if escalation
        else []
    )
    notices = list(
        StakeholderNotice.objects.filter(incident_id=incident_id)
        .select_related("message")
        .order_by("due_at", "pk")
    )
    return EscalationState(
        incident_id=incident_id, escalation=escalation, pages=pages, notices=notices
    )


def missed_notices() -> QuerySet[StakeholderNotice]:
    """Notices whose deadline passed undelivered on incidents still open: the SRE Lead's list."""
    return (
        StakeholderNotice.objects.filter(missed=True)
        .exclude(incident__status="closed")
        .select_related("incident", "message")
        .order_by("-due_at", "-pk")
    )
