"""The DR metrics' filters, shared by the page, its PDF and /api/v1/incidents/metrics.

Parameters: the period as `start` and `end` months (2026-01, both included) or a preset
`year` (2026), in the organisation's time zone; `service` (a catalogue id) and `severity`
(P0-P3). With no period the figures cover the twelve months up to this one. The PDF report
takes one `month` instead (the previous month by default).

Checked together: `year` with `start`/`end` is refused (which one was meant?), `end` before
`start` is refused, and a period longer than `limits.METRICS_MAX_MONTHS` is refused, each
naming the parameter.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from bcp_portal.catalogue.models import Service
from bcp_portal.core import filters, limits
from incidents import metrics
from incidents.models import Severity

_YEAR_RE = re.compile(r"^\d{4}$", re.ASCII)


class YearField(filters.TextCodeField):
    """'2026' to the year, MIN_YEAR to MAX_YEAR; None when empty."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def parse(self, value: str) -> int:
        if not _YEAR_RE.match(value) or not limits.MIN_YEAR <= int(value) <= limits.MAX_YEAR:
            raise ValidationError(
                f"Give a year as YYYY, from {limits.MIN_YEAR} to {limits.MAX_YEAR}.",
                code="invalid",
            )
        return int(value)


class YearFilter(filters.django_filters.CharFilter):
    field_class = YearField


class MetricsFilterForm(filters.FilterForm):
    """The period's parameters checked together."""

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        start, end, year = cleaned.get("start"), cleaned.get("end"), cleaned.get("year")
        if year is not None and (start or end) and "year" not in self.errors:
            self.add_error("year", "Give a year, or start and end months, not both.")
        elif start and end and end < start and "end" not in self.errors:
            self.add_error("end", "The end month comes before the start month.")
        elif start and end and metrics.months_between(start, end) > limits.METRICS_MAX_MONTHS:
            self.add_error("start", f"Give a period of at most {limits.METRICS_MAX_MONTHS} months.")
        return cleaned


class MetricsFilterSet(filters.PortalFilterSet):
    start = filters.MonthFilter(help_text="The first month, e.g. 2026-01.")
    end = filters.MonthFilter(help_text="The last month, e.g. 2026-12 (included).")
    year = YearFilter(help_text="A whole year instead of start and end, e.g. 2026.")
    service = filters.IdFilter(
        max_id=filters.pk_max(Service), help_text="A catalogue service's id."
    )
    severity = filters.ChoiceFilter(choices=Severity.choices)

    class Meta:
        form = MetricsFilterForm

    def apply(self, queryset: QuerySet[Any], values: dict[str, Any]) -> QuerySet[Any]:
        # The figures are aggregates, read through `scope()`: nothing to filter here.
        return queryset

    def scope(self, *, today: dt.date, zone: zoneinfo.ZoneInfo) -> metrics.Scope:
        """The validated parameters as a scope (call after `is_valid()`)."""
        data = self.form.cleaned_data
        return metrics.Scope(
            period=period_of(
                start=data.get("start"),
                end=data.get("end"),
                year=data.get("year"),
                today=today,
                zone=zone,
            ),
            service_id=data.get("service"),
            severity=data.get("severity") or "",
        )


def period_of(
    *,
    start: dt.date | None,
    end: dt.date | None,
    year: int | None,
    today: dt.date,
    zone: zoneinfo.ZoneInfo,
) -> metrics.Period:
    """The period the parameters name: a year; start to end; start to this month (or start
    alone when it lies ahead); the twelve months up to `end`; by default the twelve months up
    to this month."""
    if year is not None:
        return metrics.Period(dt.date(year, 1, 1), dt.date(year, 12, 1), zone)
    this_month = today.replace(day=1)
    if start and end:
        return metrics.Period(start, end, zone)
    if start:
        last = max(start, this_month)
        longest = metrics.add_months(start, limits.METRICS_MAX_MONTHS - 1)
        return metrics.Period(start, min(last, longest), zone)
    if end:
        return metrics.trailing_months(end, zone)
    return metrics.trailing_months(today, zone)


class MetricsReportFilterSet(filters.PortalFilterSet):
    """The monthly PDF report: one month (the previous one by default)."""

    month = filters.MonthFilter(help_text="The month of the report, e.g. 2026-03.")
    service = filters.IdFilter(
        max_id=filters.pk_max(Service), help_text="A catalogue service's id."
    )
    severity = filters.ChoiceFilter(choices=Severity.choices)

    def apply(self, queryset: QuerySet[Any], values: dict[str, Any]) -> QuerySet[Any]:
        return queryset

    def scope(self, *, today: dt.date, zone: zoneinfo.ZoneInfo) -> metrics.Scope:
        data = self.form.cleaned_data
        month = data.get("month")
        period = (
            metrics.Period(month, month, zone) if month else metrics.previous_month(today, zone)
        )
        return metrics.Scope(
            period=period,
            service_id=data.get("service"),
            severity=data.get("severity") or "",
        )
