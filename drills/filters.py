"""The drill lists' filters, shared by each page and its API (see bcp_portal.core.filters).

Parameter names are the ones links and forms already use: `type` (a drill type key),
`status`, `result`, `quarter` (2027-Q1), `participant` (a user id or "me"), and the search
text as `q` (pages) or `search` (API). The month view takes `month` (2027-01).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from bcp_portal.core import filters
from drills import report_selectors, selectors
from drills.models import Drill, DrillQuerySet, DrillReport, DrillType, Result


class DrillFilterSet(filters.PortalFilterSet):
    type = filters.KeyFilter(
        queryset=DrillType.objects.all(), label="Type", help_text="A drill type key."
    )
    status = filters.ChoiceFilter(
        choices=selectors.STATUS_FILTERS,
        help_text="A status, or “overdue” (planned and two days past).",
    )
    result = filters.ChoiceFilter(
        choices=Result.choices, help_text="The submitted report's result."
    )
    quarter = filters.QuarterFilter(help_text="e.g. 2027-Q1, in the organisation's time zone.")
    participant = filters.IdFilter(
        max_id=filters.pk_max(get_user_model()),
        keywords=("me",),
        help_text="A user id, or “me”.",
    )
    q = filters.SearchFilter(help_text="Title, scenario, type or team (the page's name).")
    search = filters.SearchFilter(help_text="Title, scenario, type or team.")

    def __init__(self, *args: Any, now: datetime | None = None, **kwargs: Any) -> None:
        self.now = now
        super().__init__(*args, **kwargs)

    def apply(self, queryset: QuerySet[Drill], values: dict[str, Any]) -> QuerySet[Drill]:
        return selectors.filter_drills(
            cast(DrillQuerySet, queryset),  # the drill lists' querysets come from Drill.objects
            user=self.user,
            drill_type=values["type"] or "",
            status=values["status"] or "",
            result=values["result"] or "",
            quarter=values["quarter"] or "",
            participant=values["participant"],
            search=self.first(values, "q", "search").strip(),
            now=self.now,
        )


class DrillMonthFilterSet(filters.PortalFilterSet):
    """The month view's one parameter; the view reads `form.cleaned_data["month"]`."""

    month = filters.MonthFilter(help_text="The month to show, e.g. 2027-01.")

    def apply(self, queryset: QuerySet[Drill], values: dict[str, Any]) -> QuerySet[Drill]:
        return queryset


class DrillReportFilterSet(filters.PortalFilterSet):
    type = filters.KeyFilter(
        queryset=DrillType.objects.all(), label="Type", help_text="A drill type key."
    )
    status = filters.ChoiceFilter(choices=DrillReport.Status.choices)
    result = filters.ChoiceFilter(choices=Result.choices, help_text="The overall result.")
    q = filters.SearchFilter(help_text="Scenario or summary (the page's name).")
    search = filters.SearchFilter(help_text="Scenario or summary.")

    def apply(
        self, queryset: QuerySet[DrillReport], values: dict[str, Any]
    ) -> QuerySet[DrillReport]:
        return report_selectors.filter_reports(
            queryset,
            status=values["status"] or "",
            result=values["result"] or "",
            drill_type=values["type"] or "",
            search=self.first(values, "q", "search").strip(),
        )
