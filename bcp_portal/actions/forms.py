from django import forms

from bcp_portal.actions.models import Action
from bcp_portal.actions.services import COMMENT_MAX_LENGTH
from bcp_portal.core.forms import PortalFormMixin
from bcp_portal.core.people import display_name
from bcp_portal.core.roles import role_holders_and


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
        owner.queryset = role_holders_and(self.instance.owner_id)
        owner.label_from_instance = display_name
        owner.empty_label = "Nobody yet (the SRE Lead assigns it)"


class TransitionCommentForm(PortalFormMixin, forms.Form):
    """The evidence asked for when closing an action someone else owns."""

    comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Comment (needed to mark done or cancel)",
        help_text="You do not own this action: say what was done or why it is dropped. "
        "It is kept in the action's history.",
    )
