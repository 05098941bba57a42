"""Forms of the incident pages: declare, edit facts and times, the quick timeline entry,
status, severity and re-open.

Times are typed in the viewer's own time zone (the time-zone middleware activates it). The
order of an incident's times is the model's rule (`Incident.clean`, TIME_ORDER): a ModelForm
runs it, so an impossible order is an error next to the field that breaks it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils import timezone

from bcp_portal.core import limits
from bcp_portal.core.forms import BoundedModelMultipleChoiceField, PeoplePicker, PortalFormMixin
from bcp_portal.core.people import display_name
from bcp_portal.core.roles import role_holders, role_holders_and
from incidents import selectors
from incidents.models import Incident, IncidentType, Severity, TimelineEntry

TIME_WIDGET = {"type": "datetime-local"}
TIME_FORMAT = "%Y-%m-%dT%H:%M"


def time_field(label: str, *, required: bool = False, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs=TIME_WIDGET, format=TIME_FORMAT),
        **kwargs,
    )


class ServicePicker(PeoplePicker):
    """The people picker's filter-as-you-type list, for services of the catalogue."""

    template_name = "incidents/widgets/service_picker.html"


class PeopleField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return display_name(obj)


class IncidentForm(PortalFormMixin, forms.ModelForm):
    """Declare (no instance) or edit an incident's facts and times.

    Declaring takes the severity; editing leaves it to its own form (a change of severity
    has a reason and re-evaluates escalation). Status is never a field: it moves by buttons.
    """

    services = BoundedModelMultipleChoiceField(
        queryset=selectors.service_choices(),
        required=False,
        widget=ServicePicker,
        label="Affected services",
        help_text=f"Their RTO and RPO targets are compared with the actual figures. "
        f"At most {limits.INCIDENT_SERVICES_MAX}.",
        validators=[
            MaxLengthValidator(
                limits.INCIDENT_SERVICES_MAX,
                message=f"Choose at most {limits.INCIDENT_SERVICES_MAX} services.",
            )
        ],
    )
    responders = PeopleField(
        queryset=role_holders(),
        required=False,
        widget=PeoplePicker,
        help_text=f"At most {limits.INCIDENT_RESPONDERS_MAX}.",
        validators=[
            MaxLengthValidator(
                limits.INCIDENT_RESPONDERS_MAX,
                message=f"Choose at most {limits.INCIDENT_RESPONDERS_MAX} responders.",
            )
        ],
    )
    description = forms.CharField(
        required=False,
        max_length=limits.INCIDENT_DESCRIPTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    started_at = time_field("Onset", help_text="When it began, if known. Your own time zone.")
    detected_at = time_field(
        "Detected", required=True, initial=timezone.now, help_text="Your own time zone."
    )
    acknowledged_at = time_field("Acknowledged")
    response_started_at = time_field("Response started")
    restored_at = time_field("Service restored")
    closed_at = time_field("Closed", help_text="Only for a closed incident.")

    class Meta:
        model = Incident
        fields = [
            "title",
            "incident_type",
            "severity",
            "business_impact",
            "description",
            "services",
            "commander",
            "responders",
            "involves_personal_data",
            "involves_payment_data",
            "high_financial_impact",
            "affected_users",
            "lost_transactions",
            "revenue_impact",
            "started_at",
            "detected_at",
            "acknowledged_at",
            "response_started_at",
            "restored_at",
            "closed_at",
            "rpo_actual_minutes",
            "rpo_basis",
            "rpo_note",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        types = IncidentType.objects.filter(is_active=True)
        if editing:
            types = IncidentType.objects.filter(
                Q(is_active=True) | Q(pk=self.instance.incident_type_id)
            )
            self.initial.setdefault("services", list(self.instance.services.all()))
            self.initial.setdefault("responders", list(self.instance.responders.all()))
        self.fields["incident_type"].queryset = types.order_by("name")
        commander = self.fields["commander"]
        commander.queryset = role_holders_and(self.instance.commander_id)
        commander.label_from_instance = display_name
        commander.empty_label = "Nobody yet"
        if editing:
            del self.fields["severity"]
            # Who responds now stays choosable even after losing their role.
            self.fields["responders"].queryset = User.objects.filter(
                Q(pk__in=role_holders().values("pk"))
                | Q(pk__in=self.instance.responder_links.values("user_id"))
            ).order_by("first_name", "last_name", "username")
        else:
            # A declaration is made as it happens: the later times come with the status moves.
            for name in ("acknowledged_at", "response_started_at", "restored_at", "closed_at"):
                del self.fields[name]
            for name in ("rpo_actual_minutes", "rpo_basis", "rpo_note"):
                del self.fields[name]

    def service_data(self) -> tuple[dict[str, Any], list[Any], list[Any]]:
        """The cleaned data split for the lifecycle service: (fields, services, responders)."""
        data = dict(self.cleaned_data)
        services = list(data.pop("services", []) or [])
        responders = list(data.pop("responders", []) or [])
        return data, services, responders


class TimelineEntryForm(PortalFormMixin, forms.ModelForm):
    """The quick entry on the incident page: only the event is required; the time is now."""

    at = time_field("Time", help_text="Blank: now. Your own time zone.")
    action_taken = forms.CharField(
        required=False,
        max_length=limits.INCIDENT_NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = TimelineEntry
        fields = ["event", "at", "action_taken", "owner"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = role_holders()
        owner.label_from_instance = display_name
        owner.empty_label = "Me"
        owner.required = False

    def _post_clean(self) -> None:
        # The incident is not a field: the service validates the row it builds.
        pass


class StatusForm(PortalFormMixin, forms.Form):
    status = forms.ChoiceField(choices=Incident.Status.choices)
    at = time_field("At", help_text="Blank: now. Your own time zone.")
    note = forms.CharField(required=False, max_length=limits.INCIDENT_NOTE_MAX_CHARS)


class SeverityForm(PortalFormMixin, forms.Form):
    severity = forms.ChoiceField(choices=Severity.choices)
    reason = forms.CharField(
        max_length=limits.INCIDENT_NOTE_MAX_CHARS,
        help_text="Kept on the timeline.",
    )


class ReopenForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=limits.INCIDENT_NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept on the timeline.",
    )
