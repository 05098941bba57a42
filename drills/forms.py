"""Forms for drill reports: the report itself plus steps, issues and actions formsets.

Steps are ordered by their hidden ORDER field, which the page's script renumbers when a
step is moved; removing a step ticks its hidden DELETE box, so nothing typed is discarded
until the report is saved.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Q

from bcp_portal.actions.models import Action
from bcp_portal.catalogue.models import Service
from bcp_portal.core import limits
from bcp_portal.core.durations import humanize_minutes
from bcp_portal.core.forms import BoundedModelMultipleChoiceField, PeoplePicker, PortalFormMixin
from bcp_portal.core.people import display_name
from drills.models import DrillIssue, DrillReport, DrillType, Result, check_step_times
from drills.selectors import participant_choices as people
from drills.services.reports import REPORT_FIELDS

RESULT_CHOICES = [("", "—"), *Result.choices]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


class PeopleChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


class ServiceCheckboxes(forms.CheckboxSelectMultiple):
    """Each box carries its service's targets, so the page can show the strictest live."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        service = getattr(value, "instance", None)
        if service is not None:
            option["attrs"]["data-rto"] = service.rto_target_minutes
            option["attrs"]["data-rpo"] = service.rpo_target_minutes
        return option


class ServiceChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj):
        rto, rpo = (
            humanize_minutes(obj.rto_target_minutes),
            humanize_minutes(obj.rpo_target_minutes),
        )
        return f"{obj.name} (RTO {rto}, RPO {rpo})"


class DrillReportForm(PortalFormMixin, forms.ModelForm):
    # Saving adds the new steps, issues and actions typed: a repeat must not add them twice.
    one_time = True

    services = ServiceChoiceField(
        queryset=Service.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=ServiceCheckboxes,
        label="Services exercised",
        help_text="The RTO and RPO targets are the strictest of these services' targets.",
    )
    participants = PeopleChoiceField(queryset=people(), required=False, widget=PeoplePicker)
    overall_result = forms.ChoiceField(
        choices=RESULT_CHOICES, required=False, label="Overall assessment"
    )

    class Meta:
        model = DrillReport
        fields = ["services", "participants", *REPORT_FIELDS]
        labels = {
            "planned_duration_minutes": "Planned duration (minutes)",
            "actual_duration_minutes": "Actual duration (minutes)",
            "rto_actual_minutes": "RTO achieved (minutes)",
            "rpo_actual_minutes": "RPO achieved (minutes of data lost)",
        }
        widgets = {
            "drill_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "scenario": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = people()
        if self.instance.pk:
            # A service retired since the drill stays on its report.
            self.fields["services"].queryset = (
                Service.objects.filter(Q(is_active=True) | Q(drill_reports=self.instance))
                .distinct()
                .order_by("name")
            )
        self.fields["services"].widget.attrs["class"] = "form-check-input"
        for name in ("services", "participants"):
            limit = limits.report_section_limits()[name]
            field = self.fields[name]
            field.validators.append(
                MaxLengthValidator(limit, message=f"Choose at most {limit} {name}.")
            )
            field.help_text = f"{field.help_text} At most {limit}.".strip()


class StepForm(PortalFormMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    started_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ended_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(required=False, min_value=0, label="Minutes")
    result = forms.ChoiceField(choices=RESULT_CHOICES, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 1}))

    def clean(self):
        data = super().clean()
        started, ended = data.get("started_at"), data.get("ended_at")
        try:
            check_step_times(started, ended)
        except ValidationError as exc:
            self.add_error(None, exc)
        else:
            if data.get("duration_minutes") is None and started and ended:
                # As the page's script does, and as the report page and PDF count them.
                data["duration_minutes"] = int((ended - started).total_seconds() // 60)
        return data


class IssueForm(PortalFormMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 1}))
    severity = forms.ChoiceField(
        choices=DrillIssue.Severity.choices, initial=DrillIssue.Severity.MEDIUM
    )


class ActionForm(PortalFormMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(required=False, max_length=300)
    owner = PersonChoiceField(queryset=people(), required=False)
    due_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    priority = forms.ChoiceField(choices=Action.Priority.choices, initial=Action.Priority.MEDIUM)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people()


class OrderedFormSet(forms.BaseFormSet):
    """ORDER and DELETE as hidden inputs; the page's buttons drive them."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].widget = forms.HiddenInput(attrs={"data-order": "1"})
        form.fields["DELETE"].widget = forms.HiddenInput(attrs={"data-delete": "1"})

    def rows(self) -> list[dict]:
        """The kept rows, in order; blank rows are dropped."""
        if self.can_order:
            kept = self.ordered_forms
        else:
            kept = [f for f in self.forms if not self._should_delete_form(f)]
        rows = []
        for form in kept:
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("ORDER", "DELETE")}
            typed = {k: v for k, v in data.items() if k not in ("id", "severity", "priority")}
            if data.get("id") or any(v not in (None, "") for v in typed.values()):
                rows.append(data)
        return rows


def _limited(limit: int) -> dict:
    # More rows than the limit are refused with the formset's error ("Please submit at most
    # N forms."), and no more than the limit are even built from a post.
    return {"max_num": limit, "validate_max": True, "absolute_max": limit}


StepFormSet = forms.formset_factory(
    StepForm,
    formset=OrderedFormSet,
    extra=0,
    can_order=True,
    can_delete=True,
    **_limited(limits.REPORT_STEPS_MAX),
)
IssueFormSet = forms.formset_factory(
    IssueForm,
    formset=OrderedFormSet,
    extra=0,
    can_delete=True,
    **_limited(limits.REPORT_ISSUES_MAX),
)
ActionFormSet = forms.formset_factory(
    ActionForm,
    formset=OrderedFormSet,
    extra=0,
    can_delete=True,
    **_limited(limits.REPORT_ACTIONS_MAX),
)


class NewReportForm(PortalFormMixin, forms.Form):
    """For a drill that was not on the calendar."""

    one_time = True  # it records the drill and starts its report

    drill_type = forms.ModelChoiceField(queryset=DrillType.objects.filter(is_active=True))
    # `drill_date`, as the report and the API call it, so a refusal names the same field.
    drill_date = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}), help_text="When it ran."
    )
    title = forms.CharField(
        required=False, max_length=200, help_text="Optional; defaults to the drill type's name."
    )


class ReviseForm(PortalFormMixin, forms.Form):
    one_time = True  # a repeat must not open a second revision

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded with the revision in the report's history.",
    )
