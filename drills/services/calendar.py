"""Writes for the drill calendar: reference data, generation, edits, feeds and reminders.

Generation is idempotent because a generated drill remembers the slot it fills
(`occurrence_date`, unique per schedule) apart from when it starts: a rerun finds the slot's
month (or quarter) taken and adds nothing, whether the drill there was moved, edited or
cancelled by a person.

Reminders select a window (planned drills starting within the next 7 days, drills more
than two days past with no report) and use the outbox de-duplication key as the "done"
marker, never an exact date: a worker that was down sends what became due once it runs
again, and a run repeated within the hour adds nothing.
"""

from __future__ import annotations

import json
import zoneinfo
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from dateutil import rrule
from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core import roles
from bcp_portal.core.models import OutboxMessage
from bcp_portal.core.outbox import outbox_add
from bcp_portal.core.roles import require_perm
from bcp_portal.core.services import apply_changes, save_audited
from drills.models import (
    OVERDUE_AFTER,
    CalendarFeedToken,
    Drill,
    DrillReport,
    DrillSchedule,
    DrillType,
)

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "data" / "drill_calendar.json"
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4}
LAST_WEEK = 5
# Wide enough around a window's slots to see every drill in their months or quarters.
PERIOD_MARGIN = timedelta(days=92)
# How far ahead the daily task keeps planned drills.
GENERATE_MONTHS = 3
REMINDER_7D = timedelta(days=7)
REMINDER_1D = timedelta(days=1)
# Overdue drills older than this are no longer escalated by the hourly job (they stay
# flagged on the pages); it bounds the job's work without losing a day of downtime.
OVERDUE_LOOKBACK = timedelta(days=30)
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


# --- Reference data ------------------------------------------------------------------------


def _validated(instance):
    """Field and model checks without the unique queries, which would hit the default alias."""
    instance.clean_fields()
    instance.clean()
    return instance


def drill_reference_load(*, using: str = "default", path: Path = REFERENCE_FILE) -> dict[str, int]:
    """Create missing drill types (by key) and the default schedules of a type that has none.

    Never updates an existing row: a renamed type, a changed duration or an edited schedule
    is a person's decision and survives every migrate. Returns what was created.
    """
    data = json.loads(path.read_text())
    created = {"types": 0, "schedules": 0}
    with transaction.atomic(using=using):
        for entry in data["types"]:
            drill_type = DrillType.objects.using(using).filter(key=entry["key"]).first()
            if drill_type is None:
                drill_type = _validated(
                    DrillType(
                        key=entry["key"],
                        name=entry["name"],
                        description=entry.get("description", ""),
                        default_duration_minutes=entry["default_duration_minutes"],
                        participant_teams=", ".join(entry.get("participant_teams", [])),
                        default_scenario=entry.get("default_scenario", ""),
                    )
                )
                drill_type.save(using=using)
                created["types"] += 1
            if DrillSchedule.objects.using(using).filter(drill_type=drill_type).exists():
                continue
            for slot in entry.get("schedules", []):
                schedule = _validated(
                    DrillSchedule(
                        drill_type=drill_type,
                        cadence=slot["cadence"],
                        week_of_month=slot["week_of_month"],
                        weekday=WEEKDAYS[slot["weekday"]],
                        month_of_quarter=slot.get("month_of_quarter", 3),
                        start_time=time.fromisoformat(slot["start_time"]),
                        duration_minutes=slot.get("duration_minutes"),
                        scenario=slot.get("scenario", ""),
                    )
                )
                schedule.save(using=using)
                created["schedules"] += 1
    return created


# --- Generation ----------------------------------------------------------------------------


def organisation_zone() -> zoneinfo.ZoneInfo:
    """Schedules are in the organisation's local time (UTC if its zone is unknown)."""
    try:
        return zoneinfo.ZoneInfo(organisation_profile().time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


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
    schedule: DrillSchedule, *, start: date, end: date, tz: zoneinfo.ZoneInfo, actor=None
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
    today = today or timezone.localdate(timezone=tz)
    end = today + relativedelta(months=months)
    schedules = DrillSchedule.objects.filter(
        is_active=True, drill_type__is_active=True
    ).select_related("drill_type")
    return sum(
        _generate_for_schedule(schedule, start=since or today, end=end, tz=tz)
        for schedule in schedules
    )


def _schedule_replan(schedule: DrillSchedule, *, actor, now: datetime | None = None) -> None:
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
def drill_schedule_create(*, actor, **fields: Any) -> DrillSchedule:
    require_perm(actor, "drills.add_drillschedule")
    _check_fields(fields, SCHEDULE_FIELDS)
    schedule = save_audited(DrillSchedule(**fields), actor=actor)
    _schedule_replan(schedule, actor=actor)
    return schedule


@transaction.atomic
def drill_schedule_update(*, actor, schedule: DrillSchedule, **fields: Any) -> DrillSchedule:
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


def _set_participants(drill: Drill, participants: Iterable | None, *, actor) -> bool:
    if participants is None:
        return False
    wanted = list(participants)
    if {user.pk for user in wanted} == set(drill.participants.values_list("pk", flat=True)):
        return False
    drill._history_user = actor
    drill.participants.set(wanted)
    return True


@transaction.atomic
def drill_create(
    *,
    actor,
    drill_type: DrillType,
    starts_at: datetime,
    participants: Iterable | None = None,
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
    *, actor, drill: Drill, participants: Iterable | None = None, **fields: Any
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
def drill_cancel(*, actor, drill: Drill, reason: str = "") -> Drill:
    """Cancel a planned drill; its slot stays taken, so generation does not plan it again."""
    require_perm(actor, "drills.change_drill")
    if drill.status != Drill.Status.PLANNED:
        raise ValidationError(f"This drill is {drill.get_status_display().lower()} already.")
    drill.status = Drill.Status.CANCELLED
    drill.edited_by_person = True
    drill._change_reason = reason
    return save_audited(drill, actor=actor)


# --- Calendar feed tokens ------------------------------------------------------------------


@transaction.atomic
def calendar_token_create(
    *, user, scope: str = CalendarFeedToken.Scope.MINE
) -> tuple[CalendarFeedToken, str]:
    """A private feed URL token for `user`: the row keeps its hash, the raw token is returned."""
    require_perm(user, "drills.add_calendarfeedtoken")
    raw = CalendarFeedToken.new_token()
    token = CalendarFeedToken(
        user=user, scope=scope, token_hash=CalendarFeedToken.hash(raw), prefix=raw[:8]
    )
    save_audited(token, actor=user)
    return token, raw


@transaction.atomic
def calendar_token_revoke(*, actor, token: CalendarFeedToken) -> CalendarFeedToken:
    """Revoke one of `actor`'s own feed tokens: its URL answers 404 from now on."""
    require_perm(actor, "drills.change_calendarfeedtoken")
    if token.user_id != actor.pk:
        raise PermissionDenied("You can only revoke your own calendar feeds.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        save_audited(token, actor=actor)
    return token


# --- Reminders and escalation --------------------------------------------------------------


def _stamp(drill: Drill) -> str:
    # The start in the key: a drill a person moves is reminded of again for its new time.
    return drill.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def _when(drill: Drill, tz_name: str) -> str:
    try:
        tz = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    return f"{timezone.localtime(drill.starts_at, tz):%a %d %b %Y %H:%M} ({tz.key})"


def _reminder(drill: Drill, lead: str, tz_name: str) -> dict[str, str]:
    when = _when(drill, tz_name)
    if lead == "1d":
        subject = f"Drill within a day: {drill.title}, {when}"
    else:
        subject = f"Drill within a week: {drill.title}, {when}"
    lines = [
        f"{drill.title} ({drill.drill_type.name}) starts {when} and is planned for "
        f"{drill.planned_duration_minutes} minutes.",
    ]
    if drill.participant_teams:
        lines.append(f"Teams: {drill.participant_teams}.")
    if drill.scenario:
        lines.append(f"Scenario: {drill.scenario}")
    return {"subject": subject, "body": "\n".join(lines), "url": drill.get_absolute_url()}


def _reminders_due(now: datetime, default_tz: str) -> list[tuple[str, dict[str, Any]]]:
    user_model = get_user_model()
    upcoming = (
        Drill.objects.filter(
            status=Drill.Status.PLANNED, starts_at__gt=now, starts_at__lte=now + REMINDER_7D
        )
        .select_related("drill_type")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=user_model.objects.filter(is_active=True).select_related("profile"),
            )
        )
        .order_by("starts_at", "pk")
    )
    due = []
    for drill in upcoming:
        # Within a day only the 1-day reminder: a 7-day one then would be noise.
        lead = "1d" if drill.starts_at <= now + REMINDER_1D else "7d"
        stamp = _stamp(drill)
        participants = list(drill.participants.all())
        for user in participants:
            profile = getattr(user, "profile", None)
            message = _reminder(drill, lead, profile.time_zone if profile else default_tz)
            key = f"drill-reminder:{drill.pk}:{lead}:{user.pk}:{stamp}"
            due.append((key, {"to_user": user, **message}))
        if not participants:
            key = f"drill-reminder:{drill.pk}:{lead}:role-sre:{stamp}"
            due.append((key, {"to_role": roles.SRE, **_reminder(drill, lead, default_tz)}))
    return due


def _escalations_due(now: datetime, default_tz: str) -> list[tuple[str, dict[str, Any]]]:
    overdue = (
        Drill.objects.filter(
            status=Drill.Status.PLANNED,
            starts_at__lte=now - OVERDUE_AFTER,
            starts_at__gt=now - OVERDUE_AFTER - OVERDUE_LOOKBACK,
        )
        .exclude(report__status=DrillReport.Status.SUBMITTED)
        .select_related("drill_type")
        .order_by("starts_at", "pk")
    )
    due = []
    for drill in overdue:
        when = _when(drill, default_tz)
        message = {
            "to_role": roles.SRE_LEAD,
            "subject": f"Drill overdue: {drill.title} of {when} has no report",
            "body": (
                f"{drill.title} ({drill.drill_type.name}) was planned for {when}. Two days "
                "later it has no submitted report. File the report, or cancel the drill if "
                "it did not take place."
            ),
            "url": drill.get_absolute_url(),
        }
        due.append((f"drill-overdue:{drill.pk}:{_stamp(drill)}", message))
    return due


@transaction.atomic
def drill_reminders_send(*, now: datetime | None = None) -> int:
    """Queue the reminders and overdue flags that are due and not yet queued; how many.

    7 days ahead and 1 day ahead to each participant (the SRE role when a drill has none),
    and an overdue flag to the SRE Lead role for a planned drill with no submitted report
    two days after it started. The outbox key is the done marker, so each goes once.
    """
    now = now or timezone.now()
    default_tz = organisation_profile().time_zone
    due = _reminders_due(now, default_tz) + _escalations_due(now, default_tz)
    queued = set(
        OutboxMessage.objects.filter(dedup_key__in=[key for key, _ in due]).values_list(
            "dedup_key", flat=True
        )
    )
    added = 0
    for key, message in due:
        if key in queued:
            continue
        outbox_add(key=key, **message)
        added += 1
    return added
