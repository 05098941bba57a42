from django import forms

from bcp_portal.contacts.models import Contact
from bcp_portal.core.forms import PortalFormMixin


class ContactForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "name",
            "kind",
            "organisation",
            "role_title",
            "email",
            "phone",
            "chat_handle",
            "notes",
            "is_active",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
