from django import forms
from django.contrib.auth import get_user_model

from bcp_portal.actions.models import Action
from bcp_portal.core.forms import PortalFormMixin
from bcp_portal.core.people import display_name


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
        owner.label_from_instance = display_name
        owner.empty_label = "Nobody yet (the SRE Lead assigns it)"
