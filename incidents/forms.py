from django import forms

from bcp_portal.forms import PortalFormMixin
from incidents.models import Service


class ServiceForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = Service
        fields = [
            "name",
            "kind",
            "description",
            "owner_team",
            "business_impact",
            "recovery_priority",
            "region",
            "data_category",
            "backup_frequency",
            "provided_service",
            "fallback",
            "expected_recovery_minutes",
            "rto_target_minutes",
            "rto_max_minutes",
            "rpo_target_minutes",
            "rpo_max_minutes",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, objectives=None, **kwargs):
        super().__init__(*args, **kwargs)
        if objectives and not self.instance.pk:
            for name, value in objectives.items():
                self.fields[name].initial = value
