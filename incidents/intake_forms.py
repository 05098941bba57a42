"""Forms of the intake source pages (SRE Lead)."""

from __future__ import annotations

from typing import Any

from django import forms

from bcp_portal.catalogue.models import Service
from bcp_portal.core import limits
from bcp_portal.core.forms import PortalFormMixin
from incidents.models import IncidentType, IntakeSource, Severity


class IntakeSourceForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = IntakeSource
        fields = ["name", "kind", "description", "default_incident_type", "default_severity"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = IncidentType.objects.filter(is_active=True).order_by("name")
        self.fields["default_incident_type"].queryset = types  # type: ignore[attr-defined]


class MappingRowForm(PortalFormMixin, forms.Form):
    label = forms.CharField(max_length=128, required=False)
    value = forms.CharField(
        max_length=1024, required=False, help_text='"*" matches any value of the label.'
    )
    severity = forms.ChoiceField(
        choices=[("", "Source default"), *Severity.choices], required=False
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.order_by("name"), required=False, empty_label="None"
    )
    incident_type = forms.ModelChoiceField(
        queryset=IncidentType.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label="Source default",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        label, value = (data.get("label") or "").strip(), (data.get("value") or "").strip()
        others = any(data.get(name) for name in ("severity", "service", "incident_type"))
        if (label or value or others) and not (label and value):
            if not label:
                self.add_error("label", "Name the label this row matches.")
            if not value:
                self.add_error("value", 'Give the value to match, or "*" for any.')
        elif label and not others:
            self.add_error(None, "Give this row a severity, a service or a type to set.")
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("label") or "").strip()


class BaseMappingFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict[str, Any]]:
        """The filled, not deleted rows, in the order shown."""
        return [
            {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and not form.is_blank  # type: ignore[attr-defined]
        ]


MappingFormSet = forms.formset_factory(
    MappingRowForm,
    formset=BaseMappingFormSet,
    extra=2,
    can_delete=True,
    max_num=limits.INTAKE_MAPPING_ROWS_MAX,
    validate_max=True,
    absolute_max=limits.INTAKE_MAPPING_ROWS_MAX + 10,
)


def mapping_initial(source: IntakeSource) -> list[dict[str, Any]]:
    return [
        {
            "label": row.label,
            "value": row.value,
            "severity": row.severity,
            "service": row.service_id,
            "incident_type": row.incident_type_id,
        }
        for row in source.mappings.order_by("position", "pk")
    ]
