"""Rules for what people type that every form, serializer and message shares.

A single-line field (a title, a name, anything typed into a one-line box) holds no line
break: a title with one would end up in a mail subject, where a line break is refused (or,
worse, starts a new header). Forms (`PortalFormMixin`, the admin's service-backed forms) and
API serializers (`bcp_portal.core.api.serializers.PortalModelSerializer`) refuse it with a
message naming the field; the outbox still flattens every subject (`one_line`) so that a row
stored before this rule is delivered too. A date or time typed anywhere lies within the
years the portal works with (`calendar_year`).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

from bcp_portal.core import limits

# Everything str.splitlines() breaks on: mail headers and one-line boxes take none of them.
LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
SINGLE_LINE_MESSAGE = "Keep this on one line: line breaks are not allowed here."


def single_line(value: Any) -> None:
    """Validator: refuse a line break in a single-line field."""
    if isinstance(value, str) and LINE_BREAKS.search(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="line_break")


def one_line(text: str) -> str:
    """`text` with every run of whitespace (line breaks included) as one space, trimmed."""
    return " ".join(text.split())


def calendar_year(value: Any) -> None:
    """Validator: a date or time people enter lies in MIN_YEAR..MAX_YEAR (`limits`).

    The calendar holds years 1 to 9999, but a drill on 9999-12-31 overflowed as soon as its
    end or its reminders were worked out (a 500); no drill, report or action lies outside
    these years, which the list filters already keep to.
    """
    year = getattr(value, "year", None)
    if year is not None and not limits.MIN_YEAR <= year <= limits.MAX_YEAR:
        raise ValidationError(
            f"Give a date from the year {limits.MIN_YEAR} to {limits.MAX_YEAR}.", code="year"
        )
