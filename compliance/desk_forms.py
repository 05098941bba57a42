"""The compliance desk's filters and the forms of an incident's notifications page.

Every form mixes in PortalFormMixin: Bootstrap classes, no line break in a one-line field,
years 1900-2999, and (`one_time`) a one-time token, so a double click records a fact,
a submission or an obligation once. Times typed into a form are read in a zone: a fact's
in the zone its form names (it is kept with the fact; the reader's zone plays no part), a
submission's in the reader's own zone (the page's active zone). A time those clocks skip is
refused, and one they show twice is refused until the person picks which (`WHICH_CHOICES`):
never a silent guess (`bcp_portal.core.dates.wall_clock`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.fields import BaseTemporalField
from django.utils import timezone

from bcp_portal.catalogue.models import CompetentAuthority
from bcp_portal.core import dates, filters
from bcp_portal.core.forms import PortalFormMixin, ZoneInput
from compliance import desk_selectors
from compliance.deadlines import types
from compliance.models_notifications import (
    MAX_CONTENT_CHARS,
    MAX_EVIDENCE_CHARS,
    MAX_REASON_CHARS,
    IncidentFact,
    Obligation,
)
from compliance.notification_filters import ObligationFilterSet

# The desk's "due within" choices: the label and the window.
WITHIN: dict[str, tuple[str, dt.timedelta]] = {
    "24h": ("the next 24 hours", dt.timedelta(hours=24)),
    "72h": ("the next 72 hours", dt.timedelta(hours=72)),
    "7d": ("the next 7 days", dt.timedelta(days=7)),
    "30d": ("the next 30 days", dt.timedelta(days=30)),
}
STATUS_CHOICES = [
    (desk_selectors.ANY_STATUS, "Any status"),
    *Obligation.Status.choices,
]
# The datetime-local input's format (minutes), and what the form accepts.
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
LOCAL_INPUT_FORMATS = [LOCAL_INPUT_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class DeskFilterSet(ObligationFilterSet):
    """The obligations' filters (the API's, `notification_filters`) and the desk's own:
    `status` empty means open (the running clocks), `any` every status; `due` (submissions
    due: the clock has started); `within` (due within the next 24 h, 72 h, 7 or 30 days)."""

    status = filters.ChoiceFilter(
        choices=STATUS_CHOICES, help_text="Empty: open (the running clocks); any: every status."
    )
    due = filters.YesNoFilter(help_text="1: submissions due (open, the clock has started).")
    within = filters.ChoiceFilter(
        choices=[(key, label) for key, (label, _) in WITHIN.items()], label="Due within"
    )

    def apply(self, queryset: QuerySet[Obligation], values: dict[str, Any]) -> QuerySet[Obligation]:
        status = values["status"] or ""
        queryset = super().apply(
            queryset, {**values, "status": "" if status == desk_selectors.ANY_STATUS else status}
        )
        within = values["within"]
        return desk_selectors.filter_desk(
            queryset,
            status=status,
            due=values["due"],
            due_before=timezone.now() + WITHIN[within][1] if within else None,
        )


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=LOCAL_INPUT_FORMAT, **kwargs)


# A time the clocks show twice (the autumn change): which of the two was meant.
WHICH_CHOICES = [
    ("", "—"),
    ("first", "The first (before the clocks go back)"),
    ("second", "The second (after the clocks go back)"),
]
SKIPPED_REMEDY = "give the time the clocks showed."
TWICE_REMEDY = "choose which of the two below (“If that time happens twice”)."


class WallClockField(forms.DateTimeField):
    """A date and time typed without its zone, kept naive: the form reads it in a zone."""

    def to_python(self, value: Any) -> dt.datetime | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value
        result: dt.datetime = BaseTemporalField.to_python(self, value)
        return result


def which_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        required=False,
        choices=WHICH_CHOICES,
        label="If that time happens twice",
        help_text="Only when the clocks go back that night: which of the two it was.",
    )


def read_wall_clock(
    form: forms.Form, cleaned: dict[str, Any], name: str, zone_name: str
) -> dt.datetime | None:
    """The naive `cleaned[name]` read in `zone_name`; a skipped or doubled time is an error
    on the field (the doubled one read as the person's pick in `which`)."""
    value = cleaned.get(name)
    if value is None:
        return None
    which = cleaned.get("which") or ""
    try:
        return dates.wall_clock(value, zone_name, fold={"first": 0, "second": 1}.get(which))
    except dates.WallClockError as exc:
        form.add_error(name, f"{exc}: {SKIPPED_REMEDY if exc.skipped else TWICE_REMEDY}")
        return None


class FactForm(PortalFormMixin, forms.Form):
    """Record a dated fact, the GDPR risk level or the persons affected in a region; the
    same kind (and region) again changes the current fact, the old value kept in history."""

    one_time = True

    kind = forms.ChoiceField(choices=IncidentFact.KIND_CHOICES, label="Fact")
    occurred_at = WallClockField(
        required=False,
        label="When",
        input_formats=LOCAL_INPUT_FORMATS,
        widget=LocalDateTimeInput(),
        help_text="For a dated fact: when it happened, in the zone below.",
    )
    time_zone = forms.CharField(
        required=False,
        max_length=64,
        widget=ZoneInput,
        help_text="The zone the time was stated in, e.g. Europe/Paris.",
    )
    which = which_field()
    value = forms.ChoiceField(
        required=False,
        label="GDPR risk level",
        choices=[("", "—"), *types.GDPR_RISK_LEVELS.items()],
    )
    region = forms.CharField(
        required=False, max_length=10, help_text="Persons affected: a country (FR) or US-CA."
    )
    count = forms.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, label="Persons affected"
    )
    reason = forms.CharField(
        max_length=MAX_REASON_CHARS, widget=forms.Textarea(attrs={"rows": 2}), label="Why"
    )
    evidence = forms.CharField(
        required=False,
        max_length=MAX_EVIDENCE_CHARS,
        help_text="What shows it: a ticket, a message.",
    )

    def clean_time_zone(self) -> str:
        name: str = self.cleaned_data.get("time_zone") or ""
        if not name:
            return ""
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError("Give an IANA zone such as Europe/Paris.") from None
        return name

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        zone = cleaned.get("time_zone") or timezone.get_current_timezone_name()
        if "time_zone" in cleaned:
            cleaned["time_zone"] = zone
            cleaned["occurred_at"] = read_wall_clock(self, cleaned, "occurred_at", zone)
        cleaned["region"] = (cleaned.get("region") or "").strip().upper()
        return cleaned


class SubmissionForm(PortalFormMixin, forms.Form):
    """Record a notification made for one obligation (prefixed by the obligation's id)."""

    one_time = True

    submitted_at = WallClockField(
        label="Submitted at",
        input_formats=LOCAL_INPUT_FORMATS,
        widget=LocalDateTimeInput(),
        help_text="When it was actually sent or filed, in your time zone.",
    )
    which = which_field()
    authority = forms.ModelChoiceField(
        queryset=CompetentAuthority.objects.none(),
        required=False,
        label="Authority",
        empty_label="— not an authority —",
    )
    recipient = forms.CharField(
        required=False,
        max_length=300,
        help_text="To whom; the authority's name when left empty.",
    )
    reference_number = forms.CharField(required=False, max_length=200)
    content = forms.CharField(
        required=False, max_length=MAX_CONTENT_CHARS, widget=forms.Textarea(attrs={"rows": 8})
    )
    attachment = forms.FileField(required=False)
    late_reason = forms.CharField(
        required=False,
        max_length=MAX_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for the delay",
        help_text="Required when made after the due time (GDPR Art. 33(1)).",
    )

    def __init__(
        self, *args: Any, authorities: list[CompetentAuthority] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["authority"]
        assert isinstance(field, forms.ModelChoiceField)
        ids = [a.pk for a in authorities] if authorities is not None else None
        field.queryset = (
            CompetentAuthority.objects.filter(pk__in=ids)
            if ids is not None
            else CompetentAuthority.objects.filter(is_active=True)
        )
        if authorities is not None:
            # The page read them already: the choices come from that list (no query).
            field.choices = [("", field.empty_label), *((a.pk, str(a)) for a in authorities)]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        cleaned["submitted_at"] = read_wall_clock(
            self, cleaned, "submitted_at", timezone.get_current_timezone_name()
        )
        authority = cleaned.get("authority")
        if not cleaned.get("recipient") and authority is not None:
            cleaned["recipient"] = authority.name
        if "recipient" in cleaned and not cleaned.get("recipient"):
            self.add_error("recipient", "Name the recipient, or choose an authority.")
        return cleaned


class ObligationAddForm(PortalFormMixin, forms.Form):
    """The DPO's own obligation (a regime the data does not cover, a contract)."""

    one_time = True

    regime_name = forms.CharField(max_length=300, label="Regime or rule")
    stage_name = forms.CharField(max_length=300, label="Stage")
    notify = forms.CharField(max_length=500, label="Who is notified")
    due_at = forms.DateTimeField(
        label="Due",
        input_formats=LOCAL_INPUT_FORMATS,
        widget=LocalDateTimeInput(),
        help_text="In your time zone.",
    )
    reason = forms.CharField(
        max_length=MAX_REASON_CHARS, widget=forms.Textarea(attrs={"rows": 2}), label="Why"
    )


class WaiveForm(PortalFormMixin, forms.Form):
    """Waive an obligation, with the DPO's justification (prefixed by its id)."""

    one_time = True

    reason = forms.CharField(
        max_length=MAX_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Justification",
    )
