"""Writes for the drill plan: schedules, the drills they generate, and edits to drills.

Generation is idempotent because a generated drill remembers the slot it fills
(`occurrence_date`, unique per schedule) apart from when it starts: a rerun finds the slot's
month (or quarter) taken and adds nothing, whether the drill there was moved, edited or
cancelled by a person.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil import rrule
from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bcp_portal.catalogue.selectors import organisation_today, organisation_zone
from bcp_portal.core import limits
from bcp_portal.core.roles import require_perm
from bcp_portal.core.services import apply_changes, save_audited
from bcp_portal.core.typehints import Actor
from drills.models import (
    Drill,
    DrillSchedule,
    DrillType,
)
from drills.services.reference import LAST_WEEK

# Wide enough around a window's slots to see every drill in their months or quarters.
PERIOD_MARGIN = timedelta(days=92)
# How far ahead the daily task keeps planned drills.
GENERATE_MONTHS = 3
DRILL_EDITABLE_FIELDS = (
    "title",
    "scenario",
    "starts_at",
    "planned_duration_minutes",
    "participant_teams",
)
SCHEDULE_FIELDS = (
    "drill_type",
    "cadence",
    "week_of_month",
    "weekday",
    "month_of_quarter",
    "start_time",
    "duration_minutes",
    "scenario",
    "is_active",
)


# --- Generation ----------------------------------------------------------------------------


def _as_time(value: time | str) -> time:
    # An unsaved schedule built with the field's string default still holds "10:00".
    return value if isinstance(value, time) else time.fromisoformat(value)


def schedule_occurrences(schedule: DrillSchedule, start: date, end: date) -> list[date]:
    """The slots of `schedule` from `start` to `end`, both included (local dates)."""
    nth = -1 if schedule.week_of_month >= LAST_WEEK else schedule.week_of_month
    months = None
    if schedule.cadence == DrillSchedule.Cadence.QUARTERLY:
        months = [schedule.month_of_quarter + 3 * quarter for quarter in range(4)]
    rule = rrule.rrule(
        rrule.MONTHLY,
        byweekday=rrule.weekday(schedule.weekday)(nth),
        bymonth=months,
        dtstart=datetime.combine(start, time()),
        until=datetime.combine(end, time()),
    )
    return [moment.date() for moment in rule]


def _slot_fields(schedule: DrillSchedule, day: date, tz: zoneinfo.ZoneInfo) -> dict[str, Any]:
    """What a generated drill takes from its schedule and type."""
    drill_type = schedule.drill_type
    return {
        "drill_type": drill_type,
        "title": drill_type.name,
        "participant_teams": drill_type.participant_teams,
        "starts_at": datetime.combine(day, _as_time(schedule.start_time), tzinfo=tz),
        "planned_duration_minutes": schedule.duration_minutes
        or drill_type.default_duration_minutes,
        "scenario": schedule.scenario or drill_type.default_scenario,
    }


def _period(schedule: DrillSchedule, day: date) -> tuple[int, int]:
    """The month (or quarter) a slot belongs to: a schedule plans one drill per period."""
    if schedule.cadence == DrillSchedule.Cadence.QUARTERLY:
        return day.year, (day.month - 1) // 3
    return day.year, day.month


def _generate_for_schedule(
    schedule: DrillSchedule,
    *,
    start: date,
    end: date,
    tz: zoneinfo.ZoneInfo,
    actor: Actor | None = None,
) -> int:
    days = schedule_occurrences(schedule, start, end)
    if not days:
        return 0
    # A period is taken by any drill of this schedule in it, even one whose slot an older
    # version of the rule chose: a person's edited drill is not joined by a second one.
    nearby = Drill.objects.filter(
        schedule=schedule,
        occurrence_date__gte=days[0] - PERIOD_MARGIN,
        occurrence_date__lte=days[-1] + PERIOD_MARGIN,
    ).values_list("occurrence_date", flat=True)
    taken = {_period(schedule, day) for day in nearby}
    created = 0
    for day in days:
        if _period(schedule, day) in taken:
            continue
        drill = Drill(schedule=schedule, occurrence_date=day, **_slot_fields(schedule, day, tz))
        try:
            with transaction.atomic():
                save_audited(drill, actor=actor)
        except (IntegrityError, ValidationError):
            # A concurrent run filled the slot first; anything else is a real error.
            if not Drill.objects.filter(schedule=schedule, occurrence_date=day).exists():
                raise
            continue
        created += 1
    return created


@transaction.atomic
def drill_calendar_generate(
    *, months: int = GENERATE_MONTHS, today: date | None = None, since: date | None = None
) -> int:
    """Plan every active schedule's drills from `since` (default today) to `months` ahead.

    Returns how many drills were added; a second run adds none. A slot already filled is
    left alone, whatever a person did to its drill (moved, edited, cancelled).
    """
    tz = organisation_zone()
    today = today or organisation_today()
    end = today + relativedelta(months=months)
    schedules = DrillSchedule.objects.filter(
        is_active=True, drill_type__is_active=True
    ).select_related("drill_type")
    return sum(
        _generate_for_schedule(schedule, start=since or today, end=end, tz=tz)
        for schedule in schedules
    )


def _schedule_replan(schedule: DrillSchedule, *, actor: Actor, now: datetime | None = None) -> None:
    """After a schedule changes: fix the future drills nobody touched, then fill new slots.

    A future planned drill that no person edited follows the schedule: it takes the new
    time and duration if its slot is still one of the schedule's, and is removed if not
    (a deactivated schedule keeps no future slots). Edited drills are never touched.
    """
    tz = organisation_zone()
    now = now or timezone.now()
    today = now.astimezone(tz).date()
    live = schedule.is_active and schedule.drill_type.is_active
    untouched = list(
        schedule.drills.filter(
            status=Drill.Status.PLANNED,
            edited_by_person=False,
            starts_at__gt=now,
            report__isnull=True,
        )
    )
    wanted: set[date] = set()
    if untouched and live:
        last = max(drill.occurrence_date for drill in untouched)
        wanted = set(schedule_occurrences(schedule, today, max(last, today)))
    for drill in untouched:
        if drill.occurrence_date in wanted:
            if apply_changes(drill, _slot_fields(schedule, drill.occurrence_date, tz)):
                save_audited(drill, actor=actor)
        else:
            drill._history_user = actor
            drill.delete()
    if live:
        _generate_for_schedule(
            schedule,
            start=today,
            end=today + relativedelta(months=GENERATE_MONTHS),
            tz=tz,
            actor=actor,
        )


@transaction.atomic
def drill_schedule_create(*, actor: Actor, **fields: Any) -> DrillSchedule:
    require_perm(actor, "drills.add_drillschedule")
    _check_fields(fields, SCHEDULE_FIELDS)
    schedule = save_audited(DrillSchedule(**fields), actor=actor)
    _schedule_replan(schedule, actor=actor)
    return schedule


@transaction.atomic
def drill_schedule_update(*, actor: Actor, schedule: DrillSchedule, **fields: Any) -> DrillSchedule:
    require_perm(actor, "drills.change_drillschedule")
    _check_fields(fields, SCHEDULE_FIELDS)
    if apply_changes(schedule, fields):
        save_audited(schedule, actor=actor)
        _schedule_replan(schedule, actor=actor)
    return schedule


# --- Drills --------------------------------------------------------------------------------


def _check_fields(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise TypeError(f"Unexpected fields: {', '.join(unknown)}.")


def _set_participants(drill: Drill, participants: Iterable[User] | None, *, actor: Actor) -> bool:
    if participants is None:
        return False
    wanted = list(participants)
    if len(wanted) > limits.DRILL_PARTICIPANTS_MAX:
        raise ValidationError(
            {
                "participants": f"At most {limits.DRILL_PARTICIPANTS_MAX} participants "
                f"per drill (this one has {len(wanted)})."
            }
        )
    if {user.pk for user in wanted} == set(drill.participants.values_list("pk", flat=True)):
        return False
    drill._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history, declared by no model
    drill.participants.set(wanted)
    return True


@transaction.atomic
def drill_create(
    *,
    actor: Actor,
    drill_type: DrillType,
    starts_at: datetime,
    participants: Iterable[User] | None = None,
    title: str = "",
    scenario: str = "",
    planned_duration_minutes: int | None = None,
    participant_teams: str | None = None,
) -> Drill:
    """An ad-hoc drill, outside any schedule; blanks take the type's defaults."""
    require_perm(actor, "drills.add_drill")
    drill = Drill(
        drill_type=drill_type,
        title=title or drill_type.name,
        scenario=scenario or drill_type.default_scenario,
        starts_at=starts_at,
        planned_duration_minutes=planned_duration_minutes or drill_type.default_duration_minutes,
        participant_teams=(
            drill_type.participant_teams if participant_teams is None else participant_teams
        ),
    )
    save_audited(drill, actor=actor)
    _set_participants(drill, participants, actor=actor)
    return drill


@transaction.atomic
def drill_update(
    *, actor: Actor, drill: Drill, participants: Iterable[User] | None = None, **fields: Any
) -> Drill:
    """A person's change to a planned drill; marks it so generation never overrides it."""
    require_perm(actor, "drills.change_drill")
    _check_fields(fields, DRILL_EDITABLE_FIELDS)
    if drill.status != Drill.Status.PLANNED:
        raise ValidationError(
            f"This drill is {drill.get_status_display().lower()}; only a planned drill changes."
        )
    changed = apply_changes(drill, fields)
    if changed:
        drill.edited_by_person = True
        save_audited(drill, actor=actor)
    if _set_participants(drill, participants, actor=actor) and not drill.edited_by_person:
        drill.edited_by_person = True
        save_audited(drill, actor=actor)
    return drill


@transaction.atomic
def drill_cancel(*, actor: Actor, drill: Drill, reason: str = "") -> Drill:
    """Cancel a planned drill; its slot stays taken, so generation does not plan it again."""
    require_perm(actor, "drills.change_drill")
    if drill.status != Drill.Status.PLANNED:
        raise ValidationError(f"This drill is {drill.get_status_display().lower()} already.")
    drill.status = Drill.Status.CANCELLED
    drill.edited_by_person = True
    drill._change_reason = reason  # type: ignore[attr-defined]  # read by django-simple-history, declared by no model
    return save_audited(drill, actor=actor)
