"""Forms of the on-call pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from bcp_portal.core.forms import PortalFormMixin
from bcp_portal.core.people import display_name
from bcp_portal.core.roles import role_holders
from incidents.models import OnCallOverride


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return display_name(obj)


class OverrideForm(PortalFormMixin, forms.ModelForm):
    """Add an override; the service decides whether this person may (their own swap)."""

    user = PersonChoiceField(queryset=role_holders(), label="Who takes the slot")
    starts_at = forms.DateTimeField(
        label="From",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label="Until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = OnCallOverride
        fields = ["slot", "user", "starts_at", "ends_at", "reason"]
        help_texts = {"reason": "A swap, a holiday: what the rota will show."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = role_holders()
