"""Drill reminders (7 days and 1 day ahead) and escalation of overdue drills.

Reminders select a window (planned drills starting within the next 7 days, drills more
than two days past with no report) and use the outbox de-duplication key as the "done"
marker, never an exact date: a worker that was down sends what became due once it runs
again, and a run repeated within the hour adds nothing.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from bcp_portal.catalogue.selectors import organisation_today, organisation_zone
from bcp_portal.core import roles
from bcp_portal.core.outbox import outbox_add_new
from bcp_portal.core.people import user_zone
from drills.models import Drill, DrillReport, overdue_cutoff

REMINDER_7D = timedelta(days=7)
REMINDER_1D = timedelta(days=1)
# Overdue drills older than this are no longer escalated by the hourly job (they stay
# flagged on the pages); it bounds the job's work without losing a day of downtime.
OVERDUE_LOOKBACK = timedelta(days=30)


# --- Reminders and escalation --------------------------------------------------------------


def _stamp(drill: Drill) -> str:
    # The start in the key: a drill a person moves is reminded of again for its new time.
    return drill.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def _when(drill: Drill, tz: zoneinfo.ZoneInfo) -> str:
    return f"{timezone.localtime(drill.starts_at, tz):%a %d %b %Y %H:%M} ({tz.key})"


def _day_word(drill: Drill, today: date, org_zone: zoneinfo.ZoneInfo) -> str:
    """ "today" or "tomorrow" by the organisation's calendar, else ''."""
    days = (timezone.localtime(drill.starts_at, org_zone).date() - today).days
    return {0: "today", 1: "tomorrow"}.get(days, "")


def _reminder(drill: Drill, lead: str, tz: zoneinfo.ZoneInfo, day: str = "") -> dict[str, str]:
    when = _when(drill, tz)
    if lead == "1d":
        subject = f"Drill within a day: {drill.title}, {when}"
    else:
        subject = f"Drill within a week: {drill.title}, {when}"
    starts = f"starts {day}, {when}" if day else f"starts {when}"
    lines = [
        f"{drill.title} ({drill.drill_type.name}) {starts} and is planned for "
        f"{drill.planned_duration_minutes} minutes.",
    ]
    if drill.participant_teams:
        lines.append(f"Teams: {drill.participant_teams}.")
    if drill.scenario:
        lines.append(f"Scenario: {drill.scenario}")
    return {"subject": subject, "body": "\n".join(lines), "url": drill.get_absolute_url()}


def _reminders_due(now: datetime, org_zone: zoneinfo.ZoneInfo) -> list[tuple[str, dict[str, Any]]]:
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
    today = organisation_today(now)
    due = []
    for drill in upcoming:
        # Within a day only the 1-day reminder: a 7-day one then would be noise.
        lead = "1d" if drill.starts_at <= now + REMINDER_1D else "7d"
        stamp = _stamp(drill)
        day = _day_word(drill, today, org_zone)
        participants = list(drill.participants.all())
        for user in participants:
            message = _reminder(drill, lead, user_zone(user, default=org_zone), day)
            key = f"drill-reminder:{drill.pk}:{lead}:{user.pk}:{stamp}"
            due.append((key, {"to_user": user, **message}))
        if not participants:
            key = f"drill-reminder:{drill.pk}:{lead}:role-sre:{stamp}"
            due.append((key, {"to_role": roles.SRE, **_reminder(drill, lead, org_zone, day)}))
    return due


def _escalations_due(
    now: datetime, org_zone: zoneinfo.ZoneInfo
) -> list[tuple[str, dict[str, Any]]]:
    overdue = (
        Drill.objects.overdue(now)
        .filter(starts_at__gt=overdue_cutoff(now) - OVERDUE_LOOKBACK)
        .exclude(report__status=DrillReport.Status.SUBMITTED)
        .select_related("drill_type")
        .order_by("starts_at", "pk")
    )
    due = []
    for drill in overdue:
        when = _when(drill, org_zone)
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
    org_zone = organisation_zone()
    due = _reminders_due(now, org_zone) + _escalations_due(now, org_zone)
    return outbox_add_new(due)
