"""The date arithmetic of the deadlines (plain Python, pure, cached calendars).

- Elapsed hours: convert to UTC, add the hours. Weekends, holidays and DST do not shift it.
  Alternative (GDPR, Reg. 1182/71 Art. 3(1) in its French and Italian texts): the clock hour
  in which the event occurred is not counted, so the period runs from the next full local hour.
- Calendar days: the anchor's local date + N days (anchor day excluded); the deadline is the
  end of that local day (23:59:59), or a cut-off time of that day where the stage names one.
- Business days: each following day that is not a Saturday, Sunday or holiday of the
  calendars counts, until N are counted. SEC's General Instruction B.1: an anchor on a
  weekend or holiday starts the period on, and counts, the first business day thereafter.
- Calendar months: the same day of month and local wall-clock time N months later, clamped to
  the last day of a shorter month (dateutil's relativedelta). Alternative (Reg. 1182/71
  Art. 3(2)(c)): the end of the last hour of that day.
- DORA relief (RTS 2025/301 Art. 5(4)): a limit falling on a weekend day or a holiday of the
  entity's calendars may be met by noon of the next working day.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

UTC = dt.UTC
END_OF_DAY = dt.time(23, 59, 59)
NOON = dt.time(12, 0)


@functools.cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_at(day: dt.date, time: dt.time, tz: str) -> dt.datetime:
    """The UTC instant of a local wall-clock time (a time in a DST gap moves forward)."""
    local = dt.datetime.combine(day, time, tzinfo=zone(tz))
    return local.astimezone(UTC)


def end_of_day(day: dt.date, tz: str) -> dt.datetime:
    return local_at(day, END_OF_DAY, tz)


def local_date(instant: dt.datetime, tz: str) -> dt.date:
    return instant.astimezone(zone(tz)).date()


# --- Elapsed hours ---------------------------------------------------------------------------


def add_hours(anchor: dt.datetime, hours: int) -> dt.datetime:
    return anchor.astimezone(UTC) + dt.timedelta(hours=hours)


def add_hours_from_next_whole_hour(anchor: dt.datetime, hours: int, tz: str) -> dt.datetime:
    """The hour in which the anchor falls is not counted: start at the next full local hour."""
    local = anchor.astimezone(zone(tz))
    # Whole hours of the local clock; in whole-hour zones this is also the next UTC hour.
    start = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    return start + dt.timedelta(hours=hours + 1)


# --- Calendar days and months -----------------------------------------------------------------


def add_days(anchor: dt.datetime, days: int, tz: str) -> dt.date:
    return local_date(anchor, tz) + dt.timedelta(days=days)


def add_months(anchor: dt.datetime, months: int, tz: str) -> dt.datetime:
    """Same local day of month and wall-clock time, clamped to a shorter month's last day."""
    local = anchor.astimezone(zone(tz))
    naive = local.replace(tzinfo=None) + relativedelta(months=months)
    return local_at(naive.date(), naive.time(), tz)


def add_months_end_of_day(anchor: dt.datetime, months: int, tz: str) -> dt.datetime:
    day = local_date(anchor, tz) + relativedelta(months=months)
    return end_of_day(day, tz)


def calendar_year_end(instant: dt.datetime, tz: str) -> dt.datetime:
    return end_of_day(dt.date(local_date(instant, tz).year, 12, 31), tz)


# --- Holiday calendars and business days ------------------------------------------------------


@functools.cache
def _holiday_dates(code: str, year: int) -> frozenset[dt.date]:
    country, _, subdiv = code.partition("-")
    try:
        calendar = holidays.country_holidays(country, subdiv=subdiv or None, years=year)
    except NotImplementedError as exc:
        raise UnknownCalendar(code) from exc
    return frozenset(calendar)


class UnknownCalendar(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(f"unknown holiday calendar {code!r}")
        self.code = code


@functools.cache
def known_calendar(code: str) -> bool:
    try:
        _holiday_dates(code, 2000)
    except UnknownCalendar:
        return False
    return True


class Calendar:
    """Weekends plus the holidays of some `holidays` package codes (FR, DE-BY, US, GB-ENG)."""

    def __init__(self, codes: Iterable[str]) -> None:
        codes = tuple(dict.fromkeys(codes))
        self.codes = tuple(c for c in codes if known_calendar(c))
        self.unknown = tuple(c for c in codes if c not in self.codes)

    def is_holiday(self, day: dt.date) -> bool:
        return any(day in _holiday_dates(code, day.year) for code in self.codes)

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def next_business_day(self, day: dt.date) -> dt.date:
        """The first business day after `day`."""
        day += dt.timedelta(days=1)
        while not self.is_business_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_business_days(
        self, start: dt.date, days: int, *, start_counts: bool = False
    ) -> dt.date:
        """`days` business days after `start`; with start_counts, `start` itself is day 1."""
        day = start
        counted = 0
        if start_counts and self.is_business_day(start):
            counted = 1
        while counted < days:
            day = self.next_business_day(day)
            counted += 1
        return day

    def describe(self) -> str:
        text = ", ".join(self.codes) if self.codes else "none"
        if self.unknown:
            text += f" (unknown, ignored: {', '.join(self.unknown)})"
        return text


@functools.cache
def calendar(codes: tuple[str, ...]) -> Calendar:
    return Calendar(codes)


def sec_business_days(
    anchor: dt.datetime, days: int, tz: str, cal: Calendar
) -> tuple[dt.date, str]:
    """Form 8-K General Instruction B.1: the due date, and how it was counted."""
    start = local_date(anchor, tz)
    if cal.is_business_day(start):
        return cal.add_business_days(start, days), f"{days} business days after {start}"
    first = cal.next_business_day(start)
    due = cal.add_business_days(first, days, start_counts=True)
    return due, (
        f"{start} is a {'weekend day' if start.weekday() >= 5 else 'holiday'}: the period "
        f"begins on and includes the first business day thereafter, {first}"
    )


def relieve(due: dt.datetime, tz: str, cal: Calendar) -> dt.datetime | None:
    """DORA Art. 5(4): noon of the next working day when `due` falls on a non-working day."""
    day = local_date(due, tz)
    if cal.is_business_day(day):
        return None
    return local_at(cal.next_business_day(day), NOON, tz)
