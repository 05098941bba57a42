"""Durations the way people say them: "45 min", "4 h", "1 h 30 min", "7 d"."""

from __future__ import annotations

from typing import Any

MINUTES_PER_HOUR = 60
MINUTES_PER_DAY = 24 * MINUTES_PER_HOUR


def humanize_minutes(minutes: Any, default: str = "—") -> str:
    """`minutes` (a whole number) as days, hours and minutes; `default` when unknown."""
    if minutes is None or minutes == "":
        return default
    try:
        total = int(minutes)
    except (TypeError, ValueError):
        return str(minutes)
    if total == 0:
        return "0 min"
    sign, total = ("-", -total) if total < 0 else ("", total)
    days, rest = divmod(total, MINUTES_PER_DAY)
    hours, mins = divmod(rest, MINUTES_PER_HOUR)
    parts = [f"{n} {unit}" for n, unit in ((days, "d"), (hours, "h"), (mins, "min")) if n]
    return sign + " ".join(parts)
