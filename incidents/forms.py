from django import forms
from django.contrib.auth import get_user_model

from bcp_portal.forms import PortalFormMixin
from incidents.models import Action, Service
from incidents.services import EDITABLE_FIELDS


class ServiceForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = Service
        fields = list(EDITABLE_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, objectives=None, **kwargs):
        super().__init__(*args, **kwargs)
        if objectives and not self.instance.pk:
            for name, value in objectives.items():
                self.fields[name].initial = value


class ActionForm(PortalFormMixin, forms.ModelForm):
    """An action's details; its status has buttons of its own (action_transition)."""

    class Meta:
        model = Action
        fields = ["title", "description", "owner", "due_date", "priority"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = (
            get_user_model()
            .objects.filter(is_active=True)
            .order_by("first_name", "last_name", "username")
        )
        owner.label_from_instance = lambda u: u.get_full_name() or u.get_username()
        owner.empty_label = "Nobody yet (the SRE Lead assigns it)"
