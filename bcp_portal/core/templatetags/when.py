"""`{% load when %}`: dates in the reader's format and zone, durations as people say them.

`{{ value|day }}` a date; `{{ value|moment }}` a date and time; `{{ value|clock }}` a time of
day; `{{ value|weekday }}` its day of the week; `{{ minutes|duration }}` "1 h 30 min" with
the exact minutes in a title attribute (`{{ minutes|duration_text }}` without the markup,
for attributes and plain text).
"""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from bcp_portal.core import dates
from bcp_portal.core.durations import humanize_minutes

register = template.Library()


@register.filter
def day(value: Any) -> str:
    return dates.format_day(value)


@register.filter
def moment(value: Any) -> str:
    return dates.format_moment(value)


@register.filter
def clock(value: Any) -> str:
    return dates.format_clock(value)


@register.filter
def weekday(value: Any) -> str:
    """The day of the week ("Tuesday") of a date, or of a datetime in the active zone."""
    return dates.format_weekday(value)


@register.filter
def duration_text(minutes: Any) -> str:
    return humanize_minutes(minutes)


@register.filter
def duration(minutes: Any) -> SafeString | str:
    text = humanize_minutes(minutes)
    if minutes is None or minutes == "":
        return text
    return format_html('<span title="{} min">{}</span>', minutes, text)
