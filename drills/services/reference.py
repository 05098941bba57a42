"""Drill types and default schedules from the versioned reference file, loaded idempotently.

Loading adds what is missing and never overwrites a person's edit; it runs after every
`migrate` (drills.apps) and from the demo.
"""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path
from typing import TypeVar

from django.db import models, transaction

from drills.models import (
    DrillSchedule,
    DrillType,
)

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "data" / "drill_calendar.json"
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4}
LAST_WEEK = 5

M = TypeVar("M", bound=models.Model)


# --- Reference data ------------------------------------------------------------------------


def _validated(instance: M) -> M:
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
