"""The deadline engine's JSON shapes: one parser (JSON -> `Case`), one serialiser (`Result`s ->
JSON), shared by `manage.py deadlines`, the API (`POST /api/v1/deadlines/evaluate`) and the
what-if planner page, so the three show the same obligations for the same facts.

Plain Python, no database: docs/deadlines.md documents both shapes with worked examples.

Input (every key optional but `entities`; unknown keys are refused, so a typo is named)::

    {"reference": "what-if", "time_zone": "Europe/Paris",
     "entities": [{"name": "Acme SAS", "jurisdictions": ["FR"], "statuses": ["gdpr_controller"],
                   "holiday_calendars": ["FR"], "time_zone": "Europe/Paris"}],
     "regimes": "all" | ["eu_gdpr_art33_art34", ...],
     "incident_type": "security-incident", "severity": "P1",
     "personal_data": true, "payment_data": false, "affected_users": 1200,
     "outage_started_at": <instant>, "outage_minutes": 300,
     "facts": {"detection": <instant>, "controller_awareness": <instant>, ...},
     "gdpr_risk": "none" | "risk" | "high_risk",
     "persons_affected": {"FR": 120, "US-CA": 40},
     "submissions": {"<regime>/<stage>": <instant>}}

An <instant> is an ISO 8601 string with its UTC offset ("2026-03-28T23:00:00+01:00", or "Z"),
or an object {"at": "2026-03-28T23:00", "time_zone": "Europe/Paris"} whose `at` is the wall
clock in that zone (a time the clocks skip, or one they pass twice, is refused unless it
carries its offset). Either way the fact keeps its zone.

A refusal is a `CaseInputError` whose `errors` map each field's path (`entities.0.time_zone`,
`facts.controller_awareness.at`) to what is wrong, as the API's error shape names fields.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from bcp_portal.catalogue import regulatory
from bcp_portal.core import dates
from compliance.deadlines import types

MAX_ENTITIES = 20
MAX_REGIONS = 300
MAX_SUBMISSIONS = 200
MAX_TEXT = 200
MAX_COUNT = 10_000_000_000
MAX_OUTAGE_MINUTES = 60 * 24 * 366 * 10
MIN_YEAR, MAX_YEAR = 1900, 2999
SEVERITIES = ("P0", "P1", "P2", "P3")
ALL = "all"

TOP_LEVEL = (
    "reference",
    "time_zone",
    "entities",
    "regimes",
    "incident_type",
    "severity",
    "personal_data",
    "payment_data",
    "affected_users",
    "outage_started_at",
    "outage_minutes",
    "facts",
    "gdpr_risk",
    "persons_affected",
    "submissions",
)
ENTITY_KEYS = ("name", "jurisdictions", "statuses", "holiday_calendars", "time_zone")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_SUBMISSION_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}/[a-z0-9][a-z0-9_-]{0,63}$")


class CaseInputError(ValueError):
    """The input does not describe a case: `errors` maps each field's path to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(
            "; ".join(f"{path}: {' '.join(messages)}" for path, messages in errors.items())
        )


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def _calendars() -> dict[str, frozenset[str]]:
    import holidays

    return {
        country: frozenset(subdivisions)
        for country, subdivisions in holidays.list_supported_countries().items()
    }


def is_time_zone(name: object) -> bool:
    return isinstance(name, str) and name in _zones()


def is_supported_calendar(code: str) -> bool:
    """A `holidays` country, optionally with one of its subdivisions: FR, DE-BY, GB-ENG."""
    if not regulatory.is_holiday_calendar_code(code):
        return False
    country, _, subdivision = code.partition("-")
    known = _calendars().get(country)
    return known is not None and (not subdivision or subdivision in known)


class _Reader:
    """Reads one input, collecting every error with its path."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    # --- scalars ---------------------------------------------------------------------------

    def text(self, value: Any, path: str, *, default: str = "") -> str:
        if value is None:
            return default
        if not isinstance(value, str):
            self.fail(path, "Give a text string.")
            return default
        value = value.strip()
        if len(value) > MAX_TEXT:
            self.fail(path, f"At most {MAX_TEXT} characters.")
        elif "\x00" in value or "\n" in value or "\r" in value:
            self.fail(path, "One line of text, without a NUL character.")
        return value

    def zone(self, value: Any, path: str, *, default: str = "UTC") -> str:
        if value is None or value == "":
            return default
        if not is_time_zone(value):
            self.fail(path, f"“{value}” is not a known IANA time zone, e.g. Europe/Paris.")
            return default
        return str(value)

    def boolean(self, value: Any, path: str) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(path, "Give true or false.")
            return False
        return value

    def count(self, value: Any, path: str, *, maximum: int = MAX_COUNT) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, "Give a whole number.")
            return None
        if not 0 <= value <= maximum:
            self.fail(path, f"Give a number from 0 to {maximum:,}.")
            return None
        return value

    def choice(self, value: Any, path: str, choices: Collection[str]) -> str:
        if value is None or value == "":
            return ""
        if not isinstance(value, str) or value not in choices:
            self.fail(path, f"Give one of: {', '.join(choices)}.")
            return ""
        return value

    def codes(self, value: Any, path: str, check: Any, what: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(path, f"Give a list of codes, each {what}.")
            return []
        bad = [v for v in value if not check(v)]
        if bad:
            self.fail(path, f"Not {what}: {', '.join(bad)}.")
        if len(value) > MAX_REGIONS:
            self.fail(path, f"At most {MAX_REGIONS} codes.")
        return [v for v in value if check(v)]

    def instant(self, value: Any, path: str) -> dt.datetime | None:
        """An ISO 8601 string with its offset, or {"at": wall clock, "time_zone": zone}."""
        if value is None:
            return None
        zone_name = ""
        at_path = path
        if isinstance(value, Mapping):
            unknown = sorted(map(str, set(value) - {"at", "time_zone"}))
            if unknown:
                self.fail(path, f"Unknown keys: {', '.join(unknown)}; give at and time_zone.")
            zone_name = self.zone(value.get("time_zone"), f"{path}.time_zone", default="")
            if "time_zone" in value and not zone_name:
                return None
            at_path = f"{path}.at"
            value = value.get("at")
            if value is None:
                self.fail(at_path, "Give the date and time, e.g. 2026-03-28T23:00.")
                return None
        if not isinstance(value, str):
            self.fail(at_path, "Give an ISO 8601 date and time, e.g. 2026-03-28T23:00:00+01:00.")
            return None
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            self.fail(at_path, f"“{value}” is not an ISO 8601 date and time.")
            return None
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            self.fail(at_path, f"Give a year from {MIN_YEAR} to {MAX_YEAR}.")
            return None
        if parsed.tzinfo is None:
            if not zone_name:
                self.fail(
                    at_path,
                    "Give the UTC offset (2026-03-28T23:00:00+01:00), or an object with at and "
                    "time_zone.",
                )
                return None
            return self._wall_clock(parsed, zone_name, at_path)
        if zone_name:
            return parsed.astimezone(zoneinfo.ZoneInfo(zone_name))
        return parsed

    def _wall_clock(self, naive: dt.datetime, zone_name: str, path: str) -> dt.datetime | None:
        try:
            return dates.wall_clock(naive, zone_name)
        except dates.WallClockError as exc:
            advice = "." if exc.skipped else ": give the UTC offset."
            self.fail(path, f"{exc}{advice}")
            return None


def _entity(reader: _Reader, value: Any, path: str) -> types.Entity | None:
    if not isinstance(value, Mapping):
        reader.fail(
            path,
            "Give an object with name, jurisdictions, statuses, holiday_calendars and time_zone.",
        )
        return None
    unknown = sorted(map(str, set(value) - set(ENTITY_KEYS)))
    if unknown:
        reader.fail(path, f"Unknown keys: {', '.join(unknown)}.")
    name = reader.text(value.get("name"), f"{path}.name")
    if not name:
        reader.fail(f"{path}.name", "Give the entity's name.")
    return types.Entity(
        name=name,
        jurisdictions=frozenset(
            reader.codes(
                value.get("jurisdictions"),
                f"{path}.jurisdictions",
                regulatory.is_jurisdiction_code,
                "a jurisdiction code (FR, GB, US-CA)",
            )
        ),
        statuses=frozenset(
            reader.codes(
                value.get("statuses"),
                f"{path}.statuses",
                regulatory.ENTITY_STATUSES.__contains__,
                "a status code (docs/deadlines.md lists them)",
            )
        ),
        holiday_calendars=tuple(
            reader.codes(
                value.get("holiday_calendars"),
                f"{path}.holiday_calendars",
                is_supported_calendar,
                "a holiday calendar code (FR, DE-BY, US)",
            )
        ),
        time_zone=reader.zone(value.get("time_zone"), f"{path}.time_zone"),
    )


def case_from_json(
    data: Any,
    *,
    regime_keys: Collection[str] | None = None,
    stage_keys: Collection[str] | None = None,
    disabled: Collection[str] = (),
    incident_types: Collection[str] | None = None,
) -> types.Case:
    """The `Case` the input describes; `CaseInputError` naming every bad field otherwise.

    `regime_keys`, when given, are the regimes that may be asked for by name (those of the
    data file the engine evaluates); without it any slug is taken. `stage_keys` ("<regime>/
    <stage>") likewise for submissions, `incident_types` for the incident type; a regime in
    `disabled` (switched off by an administrator) is refused when asked for by name, so a
    question about it never answers an empty list in silence."""
    reader = _Reader()
    if not isinstance(data, Mapping):
        raise CaseInputError({"non_field_errors": ["Give a JSON object (docs/deadlines.md)."]})
    unknown = sorted(str(k) for k in set(data) - set(TOP_LEVEL))
    for key in unknown:
        reader.fail(key, f"Unknown field (known: {', '.join(TOP_LEVEL)}).")

    entities: list[types.Entity] = []
    raw_entities = data.get("entities")
    if not isinstance(raw_entities, list) or not raw_entities:
        reader.fail("entities", "Give a list of at least one legal entity.")
    elif len(raw_entities) > MAX_ENTITIES:
        reader.fail("entities", f"At most {MAX_ENTITIES} entities.")
    else:
        for index, raw in enumerate(raw_entities):
            entity = _entity(reader, raw, f"entities.{index}")
            if entity is not None:
                entities.append(entity)
        names = [e.name for e in entities]
        if len(set(names)) != len(names):
            reader.fail("entities", "Give each entity a different name.")

    regimes: frozenset[str] | None = None
    raw_regimes = data.get("regimes", ALL)
    if raw_regimes is None or raw_regimes == ALL:
        regimes = None
    elif not isinstance(raw_regimes, list) or not all(isinstance(r, str) for r in raw_regimes):
        reader.fail("regimes", f'Give "{ALL}" or a list of regime keys.')
    elif not raw_regimes:
        reader.fail("regimes", f'Give at least one regime key, or "{ALL}".')
    else:
        bad = [
            r
            for r in raw_regimes
            if not _SLUG.match(r) or (regime_keys is not None and r not in regime_keys)
        ]
        if bad:
            reader.fail("regimes", f"Unknown regime: {', '.join(bad)}.")
        off = sorted(set(raw_regimes) & set(disabled))
        if off:
            reader.fail(
                "regimes",
                f"Switched off by an administrator in this portal: {', '.join(off)}.",
            )
        regimes = frozenset(raw_regimes)

    facts: dict[str, dt.datetime] = {}
    raw_facts = data.get("facts") or {}
    if not isinstance(raw_facts, Mapping):
        reader.fail("facts", "Give an object of dated facts by kind.")
    else:
        for kind, value in raw_facts.items():
            if kind not in types.DATED_FACTS:
                reader.fail(
                    f"facts.{kind}", f"Unknown fact (known: {', '.join(types.DATED_FACTS)})."
                )
                continue
            at = reader.instant(value, f"facts.{kind}")
            if at is not None:
                facts[kind] = at

    persons: dict[str, int] = {}
    raw_persons = data.get("persons_affected") or {}
    if not isinstance(raw_persons, Mapping):
        reader.fail("persons_affected", "Give an object of counts by region (FR, US-CA).")
    elif len(raw_persons) > MAX_REGIONS:
        reader.fail("persons_affected", f"At most {MAX_REGIONS} regions.")
    else:
        for region, value in raw_persons.items():
            path = f"persons_affected.{region}"
            if not regulatory.is_jurisdiction_code(str(region)):
                reader.fail(path, "Not a region code: use FR, GB or US-CA (upper case).")
                continue
            number = reader.count(value, path)
            if number is not None:
                persons[str(region)] = number

    submissions: dict[str, dt.datetime] = {}
    raw_submissions = data.get("submissions") or {}
    if not isinstance(raw_submissions, Mapping):
        reader.fail("submissions", 'Give an object of instants by "<regime>/<stage>".')
    elif len(raw_submissions) > MAX_SUBMISSIONS:
        reader.fail("submissions", f"At most {MAX_SUBMISSIONS} submissions.")
    else:
        for key, value in raw_submissions.items():
            path = f"submissions.{key}"
            if not _SUBMISSION_KEY.match(str(key)):
                reader.fail(path, "Name the stage as <regime key>/<stage key>.")
                continue
            if stage_keys is not None and str(key) not in stage_keys:
                reader.fail(path, "Unknown stage: no regime of the data file has it.")
                continue
            at = reader.instant(value, path)
            if at is not None:
                submissions[str(key)] = at

    case = types.Case(
        reference=reader.text(data.get("reference"), "reference", default="what-if") or "what-if",
        time_zone=reader.zone(data.get("time_zone"), "time_zone"),
        entities=tuple(entities),
        incident_type=_incident_type(reader, data.get("incident_type"), incident_types),
        severity=reader.choice(data.get("severity"), "severity", SEVERITIES),
        involves_personal_data=reader.boolean(data.get("personal_data"), "personal_data"),
        involves_payment_data=reader.boolean(data.get("payment_data"), "payment_data"),
        affected_users=reader.count(data.get("affected_users"), "affected_users"),
        outage_started_at=reader.instant(data.get("outage_started_at"), "outage_started_at"),
        outage_minutes=reader.count(
            data.get("outage_minutes"), "outage_minutes", maximum=MAX_OUTAGE_MINUTES
        ),
        dated=facts,
        gdpr_risk=reader.choice(data.get("gdpr_risk"), "gdpr_risk", types.GDPR_RISK_LEVELS) or None,
        persons_affected=persons,
        submissions=submissions,
        regimes=regimes,
    )
    if reader.errors:
        raise CaseInputError(reader.errors)
    return case


# --- Output ----------------------------------------------------------------------------------


def _incident_type(reader: _Reader, value: Any, known: Collection[str] | None) -> str:
    text = reader.text(value, "incident_type")
    if text and known is not None and text not in known:
        reader.fail("incident_type", f"Unknown incident type (known: {', '.join(sorted(known))}).")
    return text


def _utc(at: dt.datetime | None) -> str | None:
    if at is None:
        return None
    return at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _local(at: dt.datetime | None, zone: str) -> str | None:
    if at is None:
        return None
    return at.astimezone(zoneinfo.ZoneInfo(zone if is_time_zone(zone) else "UTC")).isoformat()


def result_json(result: types.Result) -> dict[str, Any]:
    """One obligation as JSON: every value a string, number, boolean or null."""
    alternative = result.alternative
    return {
        "regime": result.regime,
        "regime_name": result.regime_name,
        "stage": result.stage,
        "stage_name": result.stage_name,
        "notify": result.notify,
        "required": result.required,
        "reason": result.reason,
        "entity": result.entity,
        "due_utc": _utc(result.due_at),
        "due_local": _local(result.due_at, result.local_zone),
        "due_date": result.due_date.isoformat() if result.due_date else None,
        "local_zone": result.local_zone,
        "counting": result.counting,
        "period": result.period,
        "rule": result.rule,
        "basis": result.basis,
        "anchor": result.anchor,
        "anchor_utc": _utc(result.anchor_at),
        "provisional": result.provisional,
        "waiting_for": result.waiting_for,
        "alternative": None
        if alternative is None
        else {
            "due_utc": _utc(alternative.due_at),
            "due_local": _local(alternative.due_at, result.local_zone),
            "basis": alternative.basis,
        },
        "relief": result.relief,
        "verified": result.verified,
    }


def results_json(results: Iterable[types.Result]) -> list[dict[str, Any]]:
    """The obligations, in the engine's order, as the command prints and the API answers."""
    return [result_json(result) for result in results]
