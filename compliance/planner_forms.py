"""The what-if planner's form: it writes the facts in the JSON shape of `manage.py deadlines`
and the API (`to_json`), and the one parser (`compliance.deadlines.io.case_from_json`) reads
them; that parser's errors come back on the fields they name (`apply_case_errors`).

The page plans for one entity: typed in, or an existing legal entity of the profile picked
(its jurisdictions, statuses, calendars and zone are then used). Lists are typed as codes
separated by commas; persons affected and submissions one per line.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms

from bcp_portal.catalogue import regulatory
from bcp_portal.catalogue.models import LegalEntity
from bcp_portal.core.forms import PortalFormMixin
from compliance.deadlines import io, types

SEVERITY_CHOICES = [("", "Not given"), *((s, s) for s in io.SEVERITIES)]
RISK_CHOICES = [("", "Not assessed yet"), *types.GDPR_RISK_LEVELS.items()]
FACT_KINDS = tuple(types.DATED_FACTS)
_LINE = re.compile(r"^\s*([^=\s]+)\s*=\s*(.+?)\s*$")
_ZONED = re.compile(r"^(\S+)\s+([A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*)$")


def _codes(text: str) -> list[str]:
    return [code.strip().upper() for code in re.split(r"[,\s]+", text or "") if code.strip()]


def fact_field(kind: str) -> str:
    return f"fact_{kind}"


def fact_zone_field(kind: str) -> str:
    return f"fact_{kind}_tz"


class PlannerForm(PortalFormMixin, forms.Form):
    one_time = False  # nothing is stored: sending it twice only evaluates twice

    legal_entity = forms.ModelChoiceField(
        queryset=LegalEntity.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label="— type the entity below —",
        help_text="Picked: its jurisdictions, statuses, holiday calendars and zone are used.",
    )
    entity_name = forms.CharField(required=False, max_length=200, initial="Hypothetical entity")
    jurisdictions = forms.CharField(
        required=False, max_length=1000, help_text="ISO codes, e.g. FR, DE, GB, US-CA."
    )
    statuses = forms.MultipleChoiceField(
        required=False,
        choices=list(regulatory.ENTITY_STATUSES.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    holiday_calendars = forms.CharField(
        required=False, max_length=1000, help_text="Codes of the holidays package: FR, DE-BY, US."
    )
    entity_time_zone = forms.CharField(
        required=False, max_length=64, help_text="An IANA zone, e.g. Europe/Paris (default UTC)."
    )
    time_zone = forms.CharField(
        required=False,
        max_length=64,
        help_text="The zone facts are read in when they name none, and due times are shown in.",
    )
    regimes = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: all that apply.",
    )
    incident_type = forms.ChoiceField(required=False, choices=[("", "Not given")])
    severity = forms.ChoiceField(required=False, choices=SEVERITY_CHOICES)
    personal_data = forms.BooleanField(required=False, label="Personal data involved")
    payment_data = forms.BooleanField(required=False, label="Payment card data involved")
    gdpr_risk = forms.ChoiceField(required=False, choices=RISK_CHOICES, label="GDPR risk level")
    affected_users = forms.IntegerField(required=False, min_value=0)
    outage_started_at = forms.CharField(
        required=False,
        max_length=40,
        label="Outage start",
        help_text="Read in the zone above; blank: the outage runs from detection.",
        widget=forms.TextInput(attrs={"type": "datetime-local"}),
    )
    outage_minutes = forms.IntegerField(
        required=False, min_value=0, label="Outage duration (minutes)"
    )
    persons_affected = forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One region a line: FR=120, US-CA=40.",
    )
    submissions = forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Stages already submitted, one a line: "
        "eu_dora_major_ict_incident/initial_notification=2026-03-02T10:00 Europe/Paris.",
    )

    def __init__(
        self,
        *args: Any,
        regime_choices: list[tuple[str, str]],
        type_choices: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regimes"].choices = regime_choices
        self.fields["incident_type"].choices = [("", "Not given"), *type_choices]

    def fact_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[fact_field(k)], self[fact_zone_field(k)]) for k in FACT_KINDS]

    def _lines(self, name: str) -> list[tuple[str, str]]:
        pairs = []
        seen: dict[str, int] = {}
        for number, line in enumerate((self.cleaned_data.get(name) or "").splitlines(), 1):
            if not line.strip():
                continue
            match = _LINE.match(line)
            if match is None:
                self.add_error(name, f"Line {number}: write it as key=value.")
                continue
            key = match.group(1).upper() if name == "persons_affected" else match.group(1)
            if key in seen:
                self.add_error(
                    name, f"Line {number}: {match.group(1)} is already given on line {seen[key]}."
                )
                continue
            seen[key] = number
            pairs.append((match.group(1), match.group(2)))
        return pairs

    def to_json(self) -> dict[str, Any]:
        """The facts in the documented JSON shape (call after `is_valid()`)."""
        data = self.cleaned_data
        zone = data.get("time_zone") or "UTC"
        picked: LegalEntity | None = data.get("legal_entity")
        if picked is not None:
            entity = {
                "name": picked.name,
                "jurisdictions": list(picked.jurisdictions),
                "statuses": list(picked.statuses),
                "holiday_calendars": list(picked.holiday_calendars),
                "time_zone": picked.time_zone,
            }
        else:
            entity = {
                "name": data.get("entity_name") or "Hypothetical entity",
                "jurisdictions": _codes(data.get("jurisdictions", "")),
                "statuses": list(data.get("statuses") or []),
                "holiday_calendars": _codes(data.get("holiday_calendars", "")),
                "time_zone": data.get("entity_time_zone") or zone,
            }
        facts: dict[str, Any] = {}
        for kind in FACT_KINDS:
            at = (data.get(fact_field(kind)) or "").strip()
            if at:
                facts[kind] = {
                    "at": at,
                    "time_zone": data.get(fact_zone_field(kind)) or zone,
                }
        persons: dict[str, Any] = {}
        for region, count in self._lines("persons_affected"):
            # A count the parser cannot mistake: ASCII digits, and short enough that int()
            # neither reads "²" nor meets Python's digit limit; anything else goes to the
            # parser as text, which names the line's region in its error.
            persons[region.upper()] = (
                int(count) if count.isascii() and count.isdigit() and len(count) <= 12 else count
            )
        submissions: dict[str, Any] = {}
        for key, when in self._lines("submissions"):
            zoned = _ZONED.match(when)
            submissions[key] = (
                {"at": zoned.group(1), "time_zone": zoned.group(2)} if zoned else when
            )
        result: dict[str, Any] = {
            "reference": "what-if",
            "time_zone": zone,
            "entities": [entity],
            "regimes": list(data.get("regimes") or []) or io.ALL,
            "incident_type": data.get("incident_type") or "",
            "severity": data.get("severity") or "",
            "personal_data": bool(data.get("personal_data")),
            "payment_data": bool(data.get("payment_data")),
            "affected_users": data.get("affected_users"),
            "outage_started_at": (
                {"at": outage_start, "time_zone": zone}
                if (outage_start := (data.get("outage_started_at") or "").strip())
                else None
            ),
            "outage_minutes": data.get("outage_minutes"),
            "facts": facts,
            "gdpr_risk": data.get("gdpr_risk") or None,
            "persons_affected": persons,
            "submissions": submissions,
        }
        return result

    def apply_case_errors(self, errors: dict[str, list[str]]) -> None:
        """Put the parser's errors (by JSON path) on the fields that were typed."""
        for path, messages in errors.items():
            self.add_error(self._field_for(path), " ".join(messages))

    def _field_for(self, path: str) -> str | None:
        head, _, rest = path.partition(".")
        if head == "entities":
            leaf = rest.rpartition(".")[2]
            if self.cleaned_data.get("legal_entity") is not None:
                return "legal_entity"
            return {
                "name": "entity_name",
                "jurisdictions": "jurisdictions",
                "statuses": "statuses",
                "holiday_calendars": "holiday_calendars",
                "time_zone": "entity_time_zone",
            }.get(leaf)
        if head == "facts":
            kind, _, leaf = rest.partition(".")
            if kind in FACT_KINDS:
                return fact_zone_field(kind) if leaf == "time_zone" else fact_field(kind)
            return None
        if head in self.fields:
            return head
        return None


def _add_fact_fields() -> None:
    """Two fields a dated fact, its wall-clock time and its zone, made from the engine's list
    of facts (a fact added there gets its fields here)."""
    for kind, label in types.DATED_FACTS.items():
        # Text, not a DateTimeField: Django would read the wall clock in the person's own
        # zone, refusing a time that zone skips although the fact names another zone. The
        # parser reads it in the fact's zone and says what is wrong.
        PlannerForm.base_fields[fact_field(kind)] = forms.CharField(
            required=False,
            max_length=40,
            label=label,
            widget=forms.TextInput(attrs={"type": "datetime-local"}),
        )
        PlannerForm.base_fields[fact_zone_field(kind)] = forms.CharField(
            required=False,
            max_length=64,
            label=f"{label}: time zone",
            widget=forms.TextInput(attrs={"placeholder": "as above"}),
        )


_add_fact_fields()
