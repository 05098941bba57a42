"""The obligations list's filters, shared by the desk page and the API (bcp_portal.core.filters).

`status`, `regime` (a regime key of the data file, or `manual`), `incident` (an incident id),
`entity` (a legal entity's name), `overdue` and `provisional` (1 or 0), the due period as
`due_from` / `due_to` (days, YYYY-MM-DD, in the organisation's time zone, both included), and
the search text on regime, stage, who is notified and the incident as `q` (page) or `search`
(API).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from bcp_portal.core import filters
from compliance import notification_selectors as selectors
from compliance.models_notifications import NotificationRegime, Obligation
from compliance.notifications import MANUAL_REGIME
from incidents.models import Incident


class RegimeKeyField(filters.KeyField):
    """A regime's key, or `manual` for the obligations a person added."""

    def clean(self, value: Any) -> str:
        if value == MANUAL_REGIME:
            return value
        try:
            return super().clean(value)
        except ValidationError as exc:
            if getattr(exc, "code", None) != "invalid_choice":
                raise
            raise ValidationError(
                f"{exc.messages[0][:-1]}, or “{MANUAL_REGIME}”.", code="invalid_choice"
            ) from exc


class RegimeKeyFilter(filters.KeyFilter):
    field_class = RegimeKeyField


class ObligationFilterForm(filters.FilterForm):
    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        start, end = self.cleaned_data.get("due_from"), self.cleaned_data.get("due_to")
        if start and end and start > end:
            self.add_error("due_to", "The end of the period comes before its start.")
        return cleaned


class ObligationFilterSet(filters.PortalFilterSet):
    status = filters.ChoiceFilter(choices=Obligation.Status.choices)
    regime = RegimeKeyFilter(
        queryset=NotificationRegime.objects.all(),
        label="Regime",
        help_text="A regime key (e.g. gdpr), or manual.",
    )
    incident = filters.IdFilter(max_id=filters.pk_max(Incident), help_text="An incident id.")
    entity = filters.SearchFilter(label="Legal entity", help_text="A legal entity's name.")
    overdue = filters.YesNoFilter(label="Overdue", help_text="1: open and past its due time.")
    provisional = filters.YesNoFilter(
        label="Provisional", help_text="1: open and running from detection (a fact is missing)."
    )
    due_from = filters.DayFilter(
        label="Due from", help_text="A day (YYYY-MM-DD), the organisation's time zone."
    )
    due_to = filters.DayFilter(
        label="Due to", help_text="A day (YYYY-MM-DD), included, the organisation's zone."
    )
    q = filters.SearchFilter(help_text="Regime, stage, who is notified, incident (the page's).")
    search = filters.SearchFilter(help_text="Regime, stage, who is notified, incident.")

    class Meta:
        form = ObligationFilterForm

    def apply(self, queryset: QuerySet[Obligation], values: dict[str, Any]) -> QuerySet[Obligation]:
        return selectors.filter_obligations(
            queryset,
            status=values["status"] or "",
            regime=values["regime"] or "",
            incident=values["incident"],
            entity=(values["entity"] or "").strip(),
            overdue=values["overdue"],
            provisional=values["provisional"],
            due_from=values["due_from"],
            due_to=values["due_to"],
            search=self.first(values, "q", "search").strip(),
        )
