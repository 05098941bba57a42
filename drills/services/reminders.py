"""Drill reminders (7 days and 1 day ahead) and escalation of overdue drills.

Reminders select a window (planned drills starting within the next 7 days, drills more
than two days past with no report) and use the outbox de-duplication key as the "done"
marker, never an exact date: a worker that was down sends what became due once it runs
again, and a run repeated within the hour adds nothing.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core import roles
from bcp_portal.core.models import OutboxMessage
from bcp_portal.core.outbox import outbox_add
from drills.models import (
    OVERDUE_AFTER,
    Drill,
    DrillReport,
)

REMINDER_7D = timedelta(days=7)
REMINDER_1D = timedelta(days=1)
# Overdue drills older than this are no longer escalated by the hourly job (they stay
# flagged on the pages); it bounds the job's work without losing a day of downtime.
OVERDUE_LOOKBACK = timedelta(days=30)


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
