"""The incident list's filters, shared by the page and its API (see bcp_portal.core.filters).

`status`, `severity`, `service` (a service id), `type` (an incident type key), the period as
`detected_from` / `detected_to` (days, YYYY-MM-DD, in the organisation's time zone, both
included), `open` (1: not closed) and the search text on reference, title and description
as `q` (page) or `search` (API).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bcp_portal.catalogue.models import Service
from bcp_portal.core import filters
from incidents import selectors
from incidents.models import Incident, IncidentType, Severity


class IncidentFilterForm(filters.FilterForm):
    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        start, end = self.cleaned_data.get("detected_from"), self.cleaned_data.get("detected_to")
        if start and end and start > end:
            self.add_error("detected_to", "The end of the period comes before its start.")
        return cleaned


class IncidentFilterSet(filters.PortalFilterSet):
    status = filters.ChoiceFilter(choices=Incident.Status.choices)
    severity = filters.ChoiceFilter(choices=Severity.choices)
    service = filters.IdFilter(
        max_id=filters.pk_max(Service), help_text="A service id (an affected service)."
    )
    type = filters.KeyFilter(
        queryset=IncidentType.objects.all(), label="Type", help_text="An incident type key."
    )
    detected_from = filters.DayFilter(
        label="Detected from", help_text="A day (YYYY-MM-DD), the organisation's time zone."
    )
    detected_to = filters.DayFilter(
        label="Detected to", help_text="A day (YYYY-MM-DD), included, the organisation's zone."
    )
    open = filters.YesNoFilter(label="Open only", help_text="1: only incidents not closed.")
    q = filters.SearchFilter(help_text="Reference, title or description (the page's name).")
    search = filters.SearchFilter(help_text="Reference, title or description.")

    class Meta:
        form = IncidentFilterForm

    def apply(self, queryset: QuerySet[Incident], values: dict[str, Any]) -> QuerySet[Incident]:
        return selectors.filter_incidents(
            queryset,
            status=values["status"] or "",
            severity=values["severity"] or "",
            service=values["service"],
            incident_type=values["type"] or "",
            detected_from=values["detected_from"],
            detected_to=values["detected_to"],
            open_only=values["open"],
            search=self.first(values, "q", "search").strip(),
        )
