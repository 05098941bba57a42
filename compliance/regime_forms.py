"""The regimes list's filters and the DPO's form on a regime's page.

`RegimeFilterSet`: `enabled` and `internal` (1 or 0) and the search text `q` (name, key,
jurisdiction). `RegimeChangeForm`: switch a regime on or off and, for an internal rule of
the seed runbook, set its parameters (blank: the data file's value, shown as help), with a
required reason kept in the history. It carries a one-time token (a double click changes
once) and hands its values to `compliance.regime_services.regime_update`, which checks
them again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from bcp_portal.core import filters
from bcp_portal.core.forms import PortalFormMixin
from compliance import regime_selectors as selectors
from compliance.models_notifications import MAX_REASON_CHARS, SEVERITIES, NotificationRegime
from compliance.regime_loader import PARAMETERS

# The database's integer column: a larger threshold would be refused there.
INT_MAX = 2**31 - 1
DEADLINE_HOURS_MAX = 24 * 366  # the model's own limit


class RegimeFilterSet(filters.PortalFilterSet):
    enabled = filters.YesNoFilter(label="Enabled", help_text="1: switched on; 0: switched off.")
    internal = filters.YesNoFilter(
        label="Internal rule", help_text="1: the seed runbook's rules; 0: statutory regimes."
    )
    q = filters.SearchFilter(help_text="Name, key or jurisdiction.")

    def apply(
        self, queryset: QuerySet[NotificationRegime], values: dict[str, Any]
    ) -> QuerySet[NotificationRegime]:
        return selectors.filter_regimes(
            queryset,
            enabled=values["enabled"],
            internal=values["internal"],
            search=(values["q"] or "").strip(),
        )


def _shown(value: Any) -> str:
    return "none" if value in (None, "") else str(value)


class RegimeChangeForm(PortalFormMixin, forms.Form):
    """Enabled, an internal rule's parameters, and the reason (see the module docstring)."""

    one_time = True

    enabled = forms.BooleanField(
        required=False,
        label="Enabled",
        help_text="Unticked: the regime is switched off and starts no clock.",
    )
    incident_type_key = forms.ChoiceField(required=False, label="Incident type")
    severity_threshold = forms.ChoiceField(
        required=False,
        label="Severity threshold",
        help_text="Applies at this severity or more severe (P0 most severe).",
    )
    deadline_hours = forms.IntegerField(
        required=False, min_value=1, max_value=DEADLINE_HOURS_MAX, label="Deadline (hours)"
    )
    min_outage_minutes = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=INT_MAX,
        label="Minimum outage (minutes)",
        help_text="The outage must last more than this.",
    )
    min_affected_users = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=INT_MAX,
        label="Minimum affected users",
        help_text="More than this many users affected.",
    )
    reason = forms.CharField(
        max_length=MAX_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why: kept in the regime's history.",
    )

    def __init__(
        self,
        *args: Any,
        regime: NotificationRegime,
        file_values: dict[str, Any],
        incident_types: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "enabled": regime.enabled,
                **{column: getattr(regime, column) for column in PARAMETERS},
            },
        )
        super().__init__(*args, **kwargs)
        self.regime = regime
        if not regime.is_internal:
            for column in PARAMETERS:
                del self.fields[column]
            return
        type_choices = list(incident_types)
        if regime.incident_type_key and regime.incident_type_key not in dict(type_choices):
            # Kept as it is until the DPO picks another (the type was renamed or removed).
            type_choices.append((regime.incident_type_key, regime.incident_type_key))
        self.fields["incident_type_key"].choices = [
            ("", f"The data file's value ({_shown(file_values.get('incident_type_key'))})"),
            *type_choices,
        ]
        self.fields["severity_threshold"].choices = [
            ("", f"The data file's value ({_shown(file_values.get('severity_threshold'))})"),
            *SEVERITIES,
        ]
        for column in PARAMETERS:
            field = self.fields[column]
            default = f"Blank: the data file's value ({_shown(file_values.get(column))})."
            field.help_text = f"{field.help_text} {default}".strip()

    def changes(self) -> dict[str, Any]:
        """The regime's fields as the service takes them (call after `is_valid()`): every
        field of the form, blanks as the column's blank (None for a number)."""
        data = self.cleaned_data
        values: dict[str, Any] = {"enabled": bool(data.get("enabled"))}
        for column in PARAMETERS:
            if column in self.fields:
                values[column] = data.get(column)  # "" for a choice, None for a number
        return values

    def changed_fields(self) -> list[str]:
        """The regime's fields this form changes (after `is_valid()`)."""
        return [
            name for name, value in self.changes().items() if getattr(self.regime, name) != value
        ]

    def describe(self) -> str:
        """What the form changes, in words ("switched off", "parameters changed")."""
        changed = self.changed_fields()
        words = []
        if "enabled" in changed:
            words.append("switched on" if self.cleaned_data.get("enabled") else "switched off")
        if any(name != "enabled" for name in changed):
            words.append("parameters changed")
        return " and ".join(words) or "unchanged"

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if not self.errors and not self.changed_fields():
            self.add_error(
                None,
                "Nothing to change: switch the regime on or off"
                + (" or change a parameter." if self.regime.is_internal else "."),
            )
        return cleaned
