"""One date format everywhere: the reader's preference, active for a request or a PDF.

`UserTimezoneMiddleware` activates the signed-in person's preference (stored on their
profile beside their time zone) for the request; `bcp_portal.core.pdf` activates the
reader's for a PDF rendered in a worker. Pages and PDFs show dates through the `{% load
when %}` filters (`|day`, `|moment`, `|clock`), which read the active preference here.

`wall_clock` reads a time typed without its offset as the clocks of one zone showed it, and
refuses a time those clocks skip (the spring change) or show twice (the autumn change) unless
the person said which of the two they mean: a form or a serializer turns its `WallClockError`
into an error on the field, never a silent guess.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django.utils import dateformat, timezone


class DateFormat(models.TextChoices):
    ISO = "iso", "2026-05-14 (ISO)"
    LONG = "long", "14 May 2026"
    DMY = "dmy", "14/05/2026"
    MDY = "mdy", "05/14/2026"


DEFAULT = DateFormat.ISO

# Django date-format strings per preference: a day, and a time of day.
DAY_FORMATS: dict[str, str] = {
    DateFormat.ISO: "Y-m-d",
    DateFormat.LONG: "j M Y",
    DateFormat.DMY: "d/m/Y",
    DateFormat.MDY: "m/d/Y",
}
CLOCK_FORMAT = "H:i T"

_active: contextvars.ContextVar[str] = contextvars.ContextVar("date_format", default=DEFAULT)


def date_format_named(name: str | None) -> str:
    """`name` when it is a known preference, else the default (ISO)."""
    return name if name in DAY_FORMATS else str(DEFAULT)


def activate(name: str | None) -> contextvars.Token[str]:
    """Make `name` the active preference of this context (a request, a task)."""
    return _active.set(date_format_named(name))


def deactivate(token: contextvars.Token[str] | None = None) -> None:
    """Back to the preference before `activate` (the default without a token)."""
    if token is not None:
        _active.reset(token)
    else:
        _active.set(str(DEFAULT))


def active() -> str:
    return _active.get()


@contextmanager
def override(name: str | None) -> Iterator[None]:
    """The preference `name` inside the block, the previous one after it."""
    token = activate(name)
    try:
        yield
    finally:
        _active.reset(token)


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def format_day(value: Any) -> str:
    """A date (or a datetime's day in the active zone) in the active format; "" for none."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value)
    elif not isinstance(value, dt.date):
        return str(value)
    return dateformat.format(value, DAY_FORMATS[active()])


def format_weekday(value: Any) -> str:
    """The day of the week ("Tuesday") of a date, or of a datetime in the active zone."""
    if isinstance(value, dt.datetime):
        value = _local(value)
    elif not isinstance(value, dt.date):
        return ""
    return dateformat.format(value, "l")


def format_clock(value: Any) -> str:
    """A datetime's time of day and zone in the active zone ("14:30 CEST")."""
    if not isinstance(value, dt.datetime):
        return ""
    return dateformat.format(_local(value), CLOCK_FORMAT)


def format_moment(value: Any) -> str:
    """A date and time in the active zone and format ("2026-05-14 14:30 CEST")."""
    if not isinstance(value, dt.datetime):
        return format_day(value)
    return f"{format_day(value)} {format_clock(value)}"


class WallClockError(ValueError):
    """A wall-clock time a zone skips (`skipped`) or shows twice; str(): which, in words."""

    def __init__(self, naive: dt.datetime, zone_name: str, *, skipped: bool) -> None:
        self.skipped = skipped
        what = (
            "does not exist in {zone} (the clocks go forward then)"
            if skipped
            else "happens twice in {zone} (the clocks go back then)"
        )
        super().__init__(f"{naive:%Y-%m-%d %H:%M} " + what.format(zone=zone_name))


def wall_clock(naive: dt.datetime, zone_name: str, *, fold: int | None = None) -> dt.datetime:
    """`naive` as the clocks of `zone_name` showed it (aware, in that zone).

    A time the zone skips raises WallClockError(skipped=True); one it shows twice raises
    WallClockError(skipped=False) unless `fold` picks the first (0) or the second (1).
    An aware `naive` is only converted to the zone.
    """
    zone = zoneinfo.ZoneInfo(zone_name)
    if naive.tzinfo is not None:
        return naive.astimezone(zone)
    early, late = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if early.utcoffset() == late.utcoffset():
        return early
    back = early.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    if back != naive:
        raise WallClockError(naive, zone_name, skipped=True)
    if fold is None:
        raise WallClockError(naive, zone_name, skipped=False)
    return late if fold else early
