"""Template helpers for drill reports."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def not_yet_run(starts_at: dt.datetime | None) -> bool:
    """The drill starting at `starts_at` is still to come: a report would be premature."""
    return starts_at is not None and starts_at > timezone.now()
