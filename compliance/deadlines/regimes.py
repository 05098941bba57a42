"""The regimes data file, read once and checked into frozen dataclasses (plain Python).

`load_regimes()` reads `compliance/data/notification_regimes.json` (cached: the engine calls it
on every evaluation); `load_regimes(path)` reads another file of the same shape, uncached, for
`manage.py regimes` and the tests. A file that does not hold together raises
`RegimeDataError` naming the regime, the stage and the field, so a bad edit of the data file
fails at the first read and never as a wrong deadline.

The shape, per regime: `key`, `name`, `jurisdiction`, `trigger`, `internal`, `verified`,
`parameters` (internal rules only: what an administrator may override), `scope` (when the
regime concerns a case at all), `applies` (its regime-level thresholds), `conditions`,
`notes`, `sources`, `stages`. Per stage: `key`, `order`, `name`, `notify`, `deadline_text`,
`clock_starts_at`, `condition` (the text), `verified`, `counting` (types.COUNTING_METHODS),
`period` (int or {"param": name}), `anchor`, and optionally `anchor_latest_of`,
`anchor_from`, `outer_limit`, `local`, `relief`, `alternative`, `waiting_for`, `applies`.
The condition vocabulary is in `compliance.deadlines.conditions`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from compliance.deadlines import types
from compliance.deadlines.conditions import Condition, ConditionError, compile_condition

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "notification_regimes.json"

# Anchors the engine derives from other facts: the end of the calendar year of a fact
# (HIPAA's log of small breaches) and the moment an outage crossed the seed rule's duration.
CALENDAR_YEAR_END = "calendar_year_end"
THRESHOLD_CROSSED = "threshold_crossed"
OUTAGE_START = "outage_start"
DERIVED_ANCHORS = {
    CALENDAR_YEAR_END: "End of the calendar year of the fact",
    THRESHOLD_CROSSED: "Outage longer than the rule's duration",
}

# Alternative readings (types.Alternative) a stage may name.
WHOLE_CLOCK_HOUR = "whole_clock_hour"
END_OF_DAY = "end_of_day"
ALTERNATIVE_METHODS = {
    WHOLE_CLOCK_HOUR: types.ELAPSED_HOURS,
    END_OF_DAY: types.CALENDAR_MONTHS,
}
# Relief rules a stage may name.
DORA_ART5_4 = "dora_art5_4"
RELIEF_RULES = {DORA_ART5_4}
# Where a business-day count starts when the anchor day is not a business day.
NEXT_BUSINESS_DAY = "next_business_day"

# Parameters an internal rule may declare (and `evaluate(overrides=...)` may change).
PARAMETERS = {
    "incident_type": (str,),
    "severity_threshold": (str,),
    "deadline_hours": (int,),
    "min_outage_minutes": (int, type(None)),
    "min_affected_users": (int, type(None)),
}
SEVERITIES = ("P0", "P1", "P2", "P3")

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_CUTOFF = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


class RegimeDataError(ValueError):
    """The regimes data file does not hold together; the message names where."""


@dataclass(frozen=True)
class Local:
    """Where a stage's days are read: a fixed zone (else the entity's), calendar, cut-off."""

    zone: str = ""  # "" : the entity's zone, else the case's
    calendar: str = ""  # a holidays code ("US"), "entity", or "" (weekends only)
    cutoff: tuple[int, int] | None = None  # local (hour, minute) the due day ends at
    weekend_start: str = ""  # NEXT_BUSINESS_DAY: SEC Form 8-K General Instruction B.1


@dataclass(frozen=True)
class Relief:
    rule: str
    excluded_statuses: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AlternativeReading:
    method: str
    basis: str


@dataclass(frozen=True)
class OuterLimit:
    anchor: str
    period: int


@dataclass(frozen=True)
class Stage:
    key: str
    order: int
    name: str
    notify: str
    deadline_text: str
    clock_starts_at: str
    condition_text: str
    verified: bool
    counting: str
    period: int | str | None  # a str names a regime parameter
    anchor: str
    anchor_latest_of: tuple[str, ...] = ()
    anchor_from: str = ""
    outer_limit: OuterLimit | None = None
    local: Local = Local()
    relief: Relief | None = None
    alternative: AlternativeReading | None = None
    waiting_for: str = ""
    applies: Condition | None = None

    @property
    def anchor_kind(self) -> str:
        """'fact', 'submission', 'derived' or 'event' (a named event the portal does not track)."""
        return anchor_kind(self.anchor)


@dataclass(frozen=True, eq=False)  # compared (and cached) by identity: one object per load
class Regime:
    key: str
    name: str
    jurisdiction: str
    trigger: str
    internal: bool
    verified: bool
    scope: Condition | None
    applies: Condition | None
    conditions: tuple[str, ...]
    notes: str
    sources: tuple[tuple[str, str], ...]  # (cite, url)
    stages: tuple[Stage, ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    scope_needs_entity: bool = False

    def stage(self, key: str) -> Stage:
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise KeyError(f"{self.key} has no stage {key}")


@dataclass(frozen=True)
class RegimeData:
    version: int
    conventions: Mapping[str, str]
    regimes: tuple[Regime, ...]

    def regime(self, key: str) -> Regime:
        for regime in self.regimes:
            if regime.key == key:
                return regime
        raise KeyError(f"no regime {key}")


def anchor_kind(anchor: str) -> str:
    if anchor in types.DATED_FACTS:
        return "fact"
    if anchor.startswith(types.SUBMISSION_ANCHOR_PREFIX):
        return "submission"
    if anchor in DERIVED_ANCHORS:
        return "derived"
    return "event"


@functools.cache
def load_default() -> RegimeData:
    """The project's data file, read and checked once per process."""
    return load_file(DATA_FILE)


def load_regimes(path: str | Path | None = None) -> tuple[Regime, ...]:
    """The regimes of the project's file (cached), or of another file of the same shape."""
    if path is None:
        return load_default().regimes
    return load_file(Path(path)).regimes


def load_file(path: Path) -> RegimeData:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RegimeDataError(f"{path}: cannot read the regimes file: {exc}") from exc
    return parse(raw, where=str(path))


def parse(raw: Any, *, where: str = "regimes data") -> RegimeData:
    if not isinstance(raw, dict):
        raise RegimeDataError(f"{where}: the top level must be an object")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RegimeDataError(f"{where}: field version: a positive integer is required")
    conventions = raw.get("conventions", {})
    if not isinstance(conventions, dict):
        raise RegimeDataError(f"{where}: field conventions: an object is required")
    items = raw.get("regimes")
    if not isinstance(items, list) or not items:
        raise RegimeDataError(f"{where}: field regimes: a non-empty list is required")
    regimes: list[Regime] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        regime = _regime(item, f"{where}: regime #{index + 1}")
        if regime.key in seen:
            raise RegimeDataError(f"{where}: regime {regime.key}: field key: duplicate")
        seen.add(regime.key)
        regimes.append(regime)
    return RegimeData(
        version=version,
        conventions={str(k): str(v) for k, v in conventions.items()},
        regimes=tuple(regimes),
    )


class _Fields:
    """Reads one object's fields, naming where a bad one is."""

    def __init__(self, raw: Any, where: str) -> None:
        if not isinstance(raw, dict):
            raise RegimeDataError(f"{where}: an object is required")
        self.raw = raw
        self.where = where

    def fail(self, name: str, message: str) -> RegimeDataError:
        return RegimeDataError(f"{self.where}: field {name}: {message}")

    def text(self, name: str, *, required: bool = True) -> str:
        value = self.raw.get(name, None if required else "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(name, "a non-empty text is required" if required else "a text")
        return value

    def key(self, name: str) -> str:
        value = self.text(name)
        if not _KEY.match(value):
            raise self.fail(name, f"{value!r} is not a key (lower case, digits, underscores)")
        return value

    def boolean(self, name: str, *, default: bool | None = None) -> bool:
        value = self.raw.get(name, default)
        if not isinstance(value, bool):
            raise self.fail(name, "true or false is required")
        return value

    def condition(self, name: str, parameters: Mapping[str, Any]) -> Condition | None:
        value = self.raw.get(name, {})
        try:
            return compile_condition(value, parameters)
        except ConditionError as exc:
            raise self.fail(name, str(exc)) from exc


def _regime(item: Any, where: str) -> Regime:
    f = _Fields(item, where)
    key = f.key("key")
    f.where = where = f"{where.rsplit(': regime', 1)[0]}: regime {key}"
    internal = f.boolean("internal", default=False)
    parameters = item.get("parameters", {})
    if not isinstance(parameters, dict) or (parameters and not internal):
        raise f.fail("parameters", "an object, and only on an internal rule")
    for name, value in parameters.items():
        if name not in PARAMETERS:
            raise f.fail("parameters", f"unknown parameter {name!r}")
        if isinstance(value, bool) or not isinstance(value, PARAMETERS[name]):
            raise f.fail("parameters", f"{name}: wrong type {type(value).__name__}")
    check_parameters(parameters, f.fail)
    sources = item.get("sources")
    if not isinstance(sources, list) or not sources:
        raise f.fail("sources", "at least one source is required")
    cites: list[tuple[str, str]] = []
    for n, source in enumerate(sources, 1):
        sf = _Fields(source, f"{where}: source #{n}")
        cites.append((sf.text("cite"), sf.text("url")))
    conditions = item.get("conditions", [])
    if not isinstance(conditions, list) or not all(isinstance(c, str) for c in conditions):
        raise f.fail("conditions", "a list of texts is required")
    scope = f.condition("scope", parameters)
    stages_raw = item.get("stages")
    if not isinstance(stages_raw, list) or not stages_raw:
        raise f.fail("stages", "a non-empty list is required")
    stage_keys = [s.get("key") for s in stages_raw if isinstance(s, dict)]
    stages = tuple(
        _stage(s, f"{where}: stage #{n}", parameters, stage_keys)
        for n, s in enumerate(stages_raw, 1)
    )
    if len({s.key for s in stages}) != len(stages):
        raise f.fail("stages", "stage keys must be unique")
    if [s.order for s in stages] != list(range(1, len(stages) + 1)):
        raise f.fail("stages", "orders must run 1, 2, 3... in list order")
    return Regime(
        key=key,
        name=f.text("name"),
        jurisdiction=f.text("jurisdiction"),
        trigger=f.text("trigger"),
        internal=internal,
        verified=f.boolean("verified"),
        scope=scope,
        applies=f.condition("applies", parameters),
        conditions=tuple(conditions),
        notes=f.text("notes", required=False),
        sources=tuple(cites),
        stages=stages,
        parameters=dict(parameters),
        scope_needs_entity=bool(scope and scope.needs_entity),
    )


def check_parameters(parameters: Mapping[str, Any], fail: Any) -> None:
    severity = parameters.get("severity_threshold", "")
    if severity and severity not in SEVERITIES:
        raise fail("parameters", f"severity_threshold {severity!r} is not one of P0-P3")
    hours = parameters.get("deadline_hours", 1)
    if hours is None or hours < 1:
        raise fail("parameters", "deadline_hours must be a positive number of hours")
    for name in ("min_outage_minutes", "min_affected_users"):
        value = parameters.get(name)
        if value is not None and value < 0:
            raise fail("parameters", f"{name} must not be negative")


def _stage(item: Any, where: str, parameters: Mapping[str, Any], keys: list[Any]) -> Stage:
    f = _Fields(item, where)
    key = f.key("key")
    f.where = where = f"{where.rsplit(': stage', 1)[0]}: stage {key}"
    counting = f.text("counting")
    if counting not in types.COUNTING_METHODS:
        raise f.fail("counting", f"{counting!r} is not one of {', '.join(types.COUNTING_METHODS)}")
    period = _period(item.get("period"), counting, parameters, f)
    anchor = f.text("anchor")
    latest_of = item.get("anchor_latest_of", [])
    if not isinstance(latest_of, list):
        raise f.fail("anchor_latest_of", "a list of submission anchors is required")
    for name, value in [("anchor", anchor), *(("anchor_latest_of", a) for a in latest_of)]:
        _check_anchor(value, key, keys, f, name)
        if name == "anchor_latest_of" and anchor_kind(value) != "submission":
            raise f.fail(name, f"{value!r}: only submission anchors can be combined")
    kind = anchor_kind(anchor)
    waiting_for = f.text("waiting_for", required=False)
    if kind == "event" and not waiting_for.strip():
        raise f.fail("waiting_for", f"anchor {anchor!r} is not tracked: say what must happen")
    anchor_from = f.text("anchor_from", required=False)
    if kind == "derived":
        expected = OUTAGE_START if anchor == THRESHOLD_CROSSED else None
        if expected and anchor_from != expected:
            raise f.fail("anchor_from", f"{anchor} is derived from {expected}")
        if not expected and anchor_from not in types.DATED_FACTS:
            raise f.fail("anchor_from", f"{anchor} needs the dated fact it is derived from")
    elif anchor_from:
        raise f.fail("anchor_from", "only a derived anchor is derived from another fact")
    return Stage(
        key=key,
        order=_int(item.get("order"), f, "order"),
        name=f.text("name"),
        notify=f.text("notify"),
        deadline_text=f.text("deadline_text"),
        clock_starts_at=f.text("clock_starts_at"),
        condition_text=f.text("condition", required=False),
        verified=f.boolean("verified"),
        counting=counting,
        period=period,
        anchor=anchor,
        anchor_latest_of=tuple(latest_of),
        anchor_from=anchor_from,
        outer_limit=_outer_limit(item.get("outer_limit"), counting, f),
        local=_local(item.get("local"), f),
        relief=_relief(item.get("relief"), f),
        alternative=_alternative(item.get("alternative"), counting, f),
        waiting_for=waiting_for,
        applies=f.condition("applies", parameters),
    )


def _int(value: Any, f: _Fields, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise f.fail(name, "a positive integer is required")
    return value


def _period(value: Any, counting: str, parameters: Mapping[str, Any], f: _Fields) -> Any:
    if counting == types.NO_FIXED_PERIOD:
        if value is not None:
            raise f.fail("period", "a stage with no fixed period has no period")
        return None
    if isinstance(value, dict):
        name = value.get("param")
        if set(value) != {"param"} or name not in parameters:
            raise f.fail("period", f"{value!r} names no parameter of this rule")
        if counting != types.ELAPSED_HOURS or name != "deadline_hours":
            raise f.fail("period", "only an elapsed-hours period can be the deadline_hours param")
        return name
    return _int(value, f, "period")


def _check_anchor(anchor: str, own: str, keys: list[Any], f: _Fields, name: str) -> None:
    kind = anchor_kind(anchor)
    if kind == "submission":
        target = anchor.removeprefix(types.SUBMISSION_ANCHOR_PREFIX)
        if target not in keys or target == own:
            raise f.fail(name, f"{anchor!r} names no other stage of this regime")
    elif kind == "event" and not _KEY.match(anchor):
        raise f.fail(name, f"{anchor!r} is neither a dated fact, a submission nor an event key")


def _outer_limit(value: Any, counting: str, f: _Fields) -> OuterLimit | None:
    if value is None:
        return None
    lf = _Fields(value, f"{f.where}: outer_limit")
    anchor = lf.text("anchor")
    if anchor not in types.DATED_FACTS or counting != types.ELAPSED_HOURS:
        raise f.fail("outer_limit", "an elapsed-hours limit from a dated fact is required")
    return OuterLimit(anchor=anchor, period=_int(value.get("period"), lf, "period"))


def _local(value: Any, f: _Fields) -> Local:
    if value is None:
        return Local()
    lf = _Fields(value, f"{f.where}: local")
    unknown = set(value) - {"zone", "calendar", "cutoff", "weekend_start"}
    if unknown:
        raise lf.fail(sorted(unknown)[0], "unknown field")
    zone = lf.text("zone", required=False)
    if zone:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise lf.fail("zone", f"{zone!r} is not an IANA time zone") from exc
    cutoff_text = lf.text("cutoff", required=False)
    cutoff = None
    if cutoff_text:
        if not _CUTOFF.match(cutoff_text):
            raise lf.fail("cutoff", f"{cutoff_text!r} is not HH:MM")
        cutoff = (int(cutoff_text[:2]), int(cutoff_text[3:]))
    weekend_start = lf.text("weekend_start", required=False)
    if weekend_start not in ("", NEXT_BUSINESS_DAY):
        raise lf.fail("weekend_start", f"{weekend_start!r} is not {NEXT_BUSINESS_DAY}")
    return Local(
        zone=zone,
        calendar=lf.text("calendar", required=False),
        cutoff=cutoff,
        weekend_start=weekend_start,
    )


def _relief(value: Any, f: _Fields) -> Relief | None:
    if value is None:
        return None
    rf = _Fields(value, f"{f.where}: relief")
    rule = rf.text("rule")
    if rule not in RELIEF_RULES:
        raise rf.fail("rule", f"{rule!r} is not a known relief rule")
    excluded = value.get("excluded_statuses", [])
    if not isinstance(excluded, list) or not all(isinstance(s, str) for s in excluded):
        raise rf.fail("excluded_statuses", "a list of entity statuses is required")
    return Relief(rule=rule, excluded_statuses=frozenset(excluded))


def _alternative(value: Any, counting: str, f: _Fields) -> AlternativeReading | None:
    if value is None:
        return None
    af = _Fields(value, f"{f.where}: alternative")
    method = af.text("method")
    if ALTERNATIVE_METHODS.get(method) != counting:
        raise af.fail("method", f"{method!r} is not a reading of {counting}")
    return AlternativeReading(method=method, basis=af.text("basis"))
