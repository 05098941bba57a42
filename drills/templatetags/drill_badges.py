"""`{% load drill_badges %}`: a drill's status and a result as badges, the same everywhere.

Filters rather than included templates: a list prints one per row, and an include costs a
template render per row.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from drills.models import Drill, Result

register = template.Library()

_RESULTS = {
    Result.PASS: mark_safe('<span class="badge badge-pass">PASS</span>'),
    Result.FAIL: mark_safe('<span class="badge badge-fail">FAIL</span>'),
}
_NO_RESULT = mark_safe('<span class="text-muted">—</span>')
_STATUSES = {
    "overdue": mark_safe('<span class="badge text-bg-danger">Overdue</span>'),
    Drill.Status.PLANNED: mark_safe('<span class="badge text-bg-primary">Planned</span>'),
    Drill.Status.DONE: mark_safe('<span class="badge text-bg-success">Done</span>'),
    Drill.Status.CANCELLED: mark_safe('<span class="badge text-bg-secondary">Cancelled</span>'),
}


@register.filter
def result_badge(result: str) -> SafeString:
    """PASS or FAIL as a badge; a dash for no result (a draft's, a step not run)."""
    return _RESULTS.get(result, _NO_RESULT)


@register.filter
def drill_status_badge(drill: Drill) -> SafeString:
    """Planned, done or cancelled, or Overdue for a planned drill past its time."""
    return _STATUSES["overdue" if drill.is_overdue() else drill.status]
