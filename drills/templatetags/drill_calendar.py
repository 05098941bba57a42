"""`{% load drill_calendar %}`: the month view's chips."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from drills.selectors import CalendarChip

register = template.Library()


@register.filter
def chip(chip: CalendarChip) -> SafeString:
    """One drill's chip on a day of the month grid: its time, title and type, coloured by
    its state. A hundred of them make a month: one filter each, rather than ten template
    lookups each."""
    return format_html(
        '<a class="drill-chip chip-{state}" href="{url}" title="{title} ({type}), {time} '
        '({label})"><span class="chip-title"><strong>{time}</strong> {title}</span>{type_line}'
        "</a>",
        state=chip.state,
        url=chip.url,
        title=chip.title,
        type=chip.type_name,
        time=chip.time,
        label=chip.state_label,
        type_line=(
            format_html('<span class="chip-type">{}</span>', chip.type_name)
            if chip.title != chip.type_name
            else ""
        ),
    )
