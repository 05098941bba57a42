from __future__ import annotations

from typing import Any

from django import forms

from bcp_portal.core.channels.pagerduty import DEFAULT_ENDPOINT
from bcp_portal.core.forms import PortalFormMixin
from bcp_portal.core.models import NotificationTarget


class NotificationTargetForm(PortalFormMixin, forms.ModelForm):
    """The secret is write-only: never rendered back; left empty on an edit, it is kept."""

    url = forms.URLField(
        max_length=500,
        assume_scheme="https",
        help_text=NotificationTarget._meta.get_field("url").help_text,
    )

    secret = forms.CharField(
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="The webhook's signing secret (HMAC-SHA256), or PagerDuty's routing key. "
        "Never shown again; leave empty when editing to keep the saved one.",
    )

    class Meta:
        model = NotificationTarget
        fields = ["name", "kind", "url", "secret", "enabled"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["url"].help_text += f" PagerDuty's own endpoint is {DEFAULT_ENDPOINT}."
        if not self.instance.pk:
            self.fields["secret"].required = True
            self.initial.setdefault("enabled", True)

    def clean_secret(self) -> str:
        # Left empty on an edit: the saved secret stays (and is validated as it is).
        value: str = self.cleaned_data.get("secret") or ""
        return value or (self.instance.secret if self.instance.pk else "")
