"""Pure rules of on-call and the communication matrix (no database writes).

- Channel names: "email", "inapp", "webhook:<target>", "pagerduty:<target>" (the outbox's
  fallback chain; the channels work of issue #10 delivers the last three).
- Shifts: shift n of a rotation starts at the rotation's start plus n times its length,
  counted in days of the organisation's zone, so a weekly handover stays at the same wall
  clock time across a daylight-saving change.
- The chain (runbook 5.2.1): the primary is paged at once, the secondary after 15 minutes
  unacknowledged, the executives after 30 minutes when the incident is P0, involves personal
  data or has a high financial impact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

SECONDARY_AFTER = timedelta(minutes=15)
EXECUTIVE_AFTER = timedelta(minutes=30)
# The runbook's P0 row says "Immediate (0-5 min)": a deadline of 0 minutes still leaves
# the outbox this long to deliver before the notice counts as missed.
IMMEDIATE_GRACE = timedelta(minutes=5)
MAX_CHANNELS = 5
CHANNEL_RE = re.compile(r"^(email|inapp|(webhook|pagerduty):[a-z0-9][a-z0-9_-]{0,62})$")


def channel_errors(channels: object) -> list[str]:
    """What is wrong with a channel list (empty: nothing)."""
    if not isinstance(channels, list):
        return ["Give the channels as a list of names."]
    if len(channels) > MAX_CHANNELS:
        return [f"At most {MAX_CHANNELS} channels."]
    problems = [
        f"{name!r} is not a channel (email, inapp, webhook:<target>, pagerduty:<target>)."
        for name in channels
        if not isinstance(name, str) or not CHANNEL_RE.match(name)
    ]
    if len(set(map(str, channels))) != len(channels):
        problems.append("A channel is listed twice.")
    return problems


def notice_deadline(declared_at: datetime, minutes: int) -> datetime:
    """When a matrix row's recipients must have been told (declared_at: when notified)."""
    return declared_at + max(timedelta(minutes=minutes), IMMEDIATE_GRACE)


def needs_executive(*, severity: str, personal_data: bool, high_financial_impact: bool) -> bool:
    """The runbook's three conditions for the executive step."""
    return severity == "P0" or personal_data or high_financial_impact


@dataclass(frozen=True)
class Shift:
    index: int
    starts_at: datetime
    ends_at: datetime
    primary_id: int | None
    secondary_id: int | None


def shift_start(start: datetime, shift_days: int, index: int, zone: tzinfo) -> datetime:
    """The start of shift `index`, at the start's wall-clock time in `zone`."""
    local = start.astimezone(zone).replace(tzinfo=None) + timedelta(days=shift_days * index)
    # fold=0: an ambiguous wall time (clocks going back) takes the first occurrence.
    return local.replace(tzinfo=zone)


def shift_index(start: datetime, shift_days: int, instant: datetime, zone: tzinfo) -> int:
    """Which shift holds `instant` (negative before the rotation starts)."""
    local_start = start.astimezone(zone).replace(tzinfo=None)
    local_now = instant.astimezone(zone).replace(tzinfo=None)
    index = (local_now - local_start) // timedelta(days=shift_days)
    # Around a DST change the naive estimate may be one off: settle on real instants.
    while shift_start(start, shift_days, index + 1, zone) <= instant:
        index += 1
    while shift_start(start, shift_days, index, zone) > instant:
        index -= 1
    return index


def shift_at(
    start: datetime, shift_days: int, members: Sequence[int], index: int, zone: tzinfo
) -> Shift:
    """Shift `index`: member index mod n is primary, the next one secondary (none if alone)."""
    n = len(members)
    primary = members[index % n] if n and index >= 0 else None
    secondary = members[(index + 1) % n] if n > 1 and index >= 0 else None
    return Shift(
        index=index,
        starts_at=shift_start(start, shift_days, index, zone),
        ends_at=shift_start(start, shift_days, index + 1, zone),
        primary_id=primary,
        secondary_id=secondary,
    )
