from django import forms

from bcp_portal.catalogue.models import Service
from bcp_portal.catalogue.services import EDITABLE_FIELDS
from bcp_portal.core.forms import PortalFormMixin


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
