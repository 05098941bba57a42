import re

from django import forms

from bcp_portal.catalogue.models import CompetentAuthority, LegalEntity, Service
from bcp_portal.catalogue.regulatory import ENTITY_STATUSES
from bcp_portal.catalogue.services import AUTHORITY_FIELDS, EDITABLE_FIELDS, LEGAL_ENTITY_FIELDS
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


class CodeListField(forms.CharField):
    """Codes typed as "FR, GB, US-CA": a list of the codes, upper case, each once."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        parts = [part.strip().upper() for part in re.split(r"[,\s]+", text) if part.strip()]
        return list(dict.fromkeys(parts))


class LegalEntityForm(PortalFormMixin, forms.ModelForm):
    jurisdictions = CodeListField(
        required=False,
        max_length=500,
        help_text="Where it is established or operates: FR, GB, US-CA (ISO 3166), by commas.",
    )
    statuses = forms.MultipleChoiceField(
        required=False,
        choices=list(ENTITY_STATUSES.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="Its status under each regime: which notification regimes apply to it.",
    )
    holiday_calendars = CodeListField(
        required=False,
        max_length=500,
        help_text="Public holidays for business days and relief: FR, DE-BY, US, GB-ENG.",
    )

    class Meta:
        model = LegalEntity
        fields = list(LEGAL_ENTITY_FIELDS)


class RegimeKeysField(forms.CharField):
    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return list(dict.fromkeys(p.strip() for p in re.split(r"[,\s]+", text) if p.strip()))


class CompetentAuthorityForm(PortalFormMixin, forms.ModelForm):
    portal_url = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        label="Reporting portal",
        help_text="Where reports are filed; https:// is assumed when no scheme is typed.",
    )
    regimes = RegimeKeysField(
        required=False,
        max_length=1000,
        help_text="The regimes it receives, by key (eu_gdpr_art33_art34...), by commas.",
    )

    class Meta:
        model = CompetentAuthority
        fields = list(AUTHORITY_FIELDS)
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
