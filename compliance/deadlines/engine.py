"""The deadline engine: which stages of which regimes a case starts, and when each is due.

    evaluate(case, regimes=None, *, overrides=None, disabled=()) -> list[Result]

Pure: no database, no clock. `regimes` defaults to the project's data file (read once);
`overrides` maps an internal rule's key to parameter values that replace the file's
(`incident_type`, `severity_threshold`, `deadline_hours`, `min_outage_minutes`,
`min_affected_users`: a NotificationRegime row's values as they are; None keeps the file's
value, "" for incident_type or severity_threshold drops that clause; an unknown name or a
wrong type raises OverrideError); `disabled` names regimes not to evaluate (switched off in
the admin). `case.regimes`, when set, restricts the
evaluation to those keys (the planner's choice).

Which regimes answer:
- A regime whose `scope` does not match the case answers nothing (a US state law when no
  resident of that state is affected and no entity is there, GDPR without personal data...).
  Scope reads an entity's statuses and jurisdictions: the first of the case's entities that
  matches is the regime's entity (whose zone and holidays count its days).
- A regime in scope answers one Result per stage, in the file's order. A stage is
  `required=False`, with the reason, when the regime's `applies` thresholds or the stage's
  own `applies` fail (below the severity threshold, risk judged none, an outage of exactly
  the threshold where the rule says "more than", fewer persons than the stage needs...).
- A threshold not known yet (GDPR risk not assessed, persons not counted, an outage still
  running) counts as met: the stage is required and `provisional`, and the reason says so.

The clock of a required stage:
- Anchor a dated fact: the fact's time; missing, detection stands in (`provisional`, the
  basis says so); no detection either: no due time, `waiting_for` names the fact.
- Anchor "submission:<stage>": the first actual submission of that stage (the one that met
  it: a resubmission moves nothing), or the latest of a stage named in `anchor_latest_of`
  (DORA's final report: the latest updated intermediate report), whichever is later; none
  yet: no due time, `waiting_for` "submission of <stage name>".
- A derived anchor: `calendar_year_end` (end of the local year of a fact; HIPAA's small
  breaches) or `threshold_crossed` (outage start + the rule's minutes; the seed outage rule).
- A named event the portal does not track (authority_request, payment...): no due time,
  `waiting_for` from the data file.
- No fixed period: the anchor is shown, no due time (`basis` says "without undue delay").
Counting conventions: `compliance.deadlines.counting`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Mapping
from typing import Any

from bcp_portal.catalogue.regulatory import EU_MEMBER_STATES
from compliance.deadlines import counting, types
from compliance.deadlines.conditions import FAILS, HOLDS, UNKNOWN, fact_label
from compliance.deadlines.regimes import (
    CALENDAR_YEAR_END,
    DORA_ART5_4,
    END_OF_DAY,
    NEXT_BUSINESS_DAY,
    PARAMETERS,
    THRESHOLD_CROSSED,
    WHOLE_CLOCK_HOUR,
    Regime,
    Stage,
    check_parameters,
    load_regimes,
)

Overrides = Mapping[str, Mapping[str, Any]]


class OverrideError(ValueError):
    pass


def evaluate(
    case: types.Case,
    regimes: tuple[Regime, ...] | None = None,
    *,
    overrides: Overrides | None = None,
    disabled: Collection[str] = (),
) -> list[types.Result]:
    """Every stage of every regime in scope of the case: required or not, and when due."""
    results: list[types.Result] = []
    for regime in load_regimes() if regimes is None else regimes:
        if regime.key in disabled or (case.regimes is not None and regime.key not in case.regimes):
            continue
        params = _params(regime, overrides.get(regime.key) if overrides else None)
        results.extend(_evaluate_regime(case, regime, params))
    return results


def _params(regime: Regime, override: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The rule's parameters with the override's values; None keeps the file's value."""
    if not override:
        return regime.parameters
    changed = tuple(sorted((k, v) for k, v in override.items() if v is not None))
    if not changed:
        return regime.parameters
    try:
        return _checked_params(regime, changed)
    except TypeError:  # an unhashable value: check it uncached, to name it
        return _check_params(regime, changed)


@functools.lru_cache(maxsize=256)
def _checked_params(regime: Regime, changed: tuple[tuple[str, Any], ...]) -> Mapping[str, Any]:
    return _check_params(regime, changed)


def _check_params(regime: Regime, changed: tuple[tuple[str, Any], ...]) -> Mapping[str, Any]:
    unknown = sorted(name for name, _ in changed if name not in regime.parameters)
    if unknown:
        raise OverrideError(f"{regime.key}: no parameter {', '.join(unknown)}")
    for name, value in changed:
        if isinstance(value, bool) or not isinstance(value, PARAMETERS[name]):
            raise OverrideError(f"{regime.key}: {name}: wrong type {type(value).__name__}")

    def fail(field: str, message: str) -> OverrideError:
        return OverrideError(f"{regime.key}: {message}")

    params = {**regime.parameters, **dict(changed)}
    check_parameters(params, fail)
    return params


def _evaluate_regime(
    case: types.Case, regime: Regime, params: Mapping[str, Any]
) -> list[types.Result]:
    candidates: list[types.Entity | None] = (
        [*case.entities, None] if regime.scope_needs_entity else [None]
    )
    in_scope: list[tuple[types.Entity | None, str]] = []
    for entity in candidates:
        if regime.scope is None:
            in_scope.append((entity, ""))
            continue
        status, reason = regime.scope(case, entity, params)
        if status == HOLDS:
            in_scope.append((entity, reason))
    if not in_scope:
        return []
    if len(in_scope) > 1 and regime.scope is not None:
        # An entity in a place the regime names comes before one only its data concerns.
        scope = regime.scope
        in_scope.sort(key=lambda c: c[0] is None or not scope.mentions(c[0]))
    entity, scope_reason = in_scope[0]
    regime_status, regime_reason = (
        (HOLDS, "") if regime.applies is None else regime.applies(case, entity, params)
    )
    results = []
    for stage in regime.stages:
        if regime_status == FAILS:
            status, reason, stage_entity = FAILS, regime_reason, entity
        else:
            status, reason, stage_entity = _stage_applies(case, stage, in_scope, params)
            if regime_status == UNKNOWN:
                status = max(status, UNKNOWN)
        if status != FAILS:
            reason = _join(scope_reason if stage_entity is entity else "", regime_reason, reason)
        results.append(_result(case, regime, stage, stage_entity, status, reason, params))
    return results


def _join(*reasons: str) -> str:
    """Reasons in order, each once."""
    parts: dict[str, None] = {}
    for reason in reasons:
        for part in reason.split("; "):
            if part:
                parts[part] = None
    return "; ".join(parts)


def _stage_applies(
    case: types.Case,
    stage: Stage,
    in_scope: list[tuple[types.Entity | None, str]],
    params: Mapping[str, Any],
) -> tuple[int, str, types.Entity | None]:
    """The first in-scope entity the stage holds for (else one it is unknown for)."""
    if stage.applies is None:
        return HOLDS, "", in_scope[0][0]
    best: tuple[int, str, types.Entity | None] | None = None
    for entity, _ in in_scope:
        status, reason = stage.applies(case, entity, params)
        if status == HOLDS:
            return status, reason, entity
        if best is None or status < best[0]:
            best = (status, reason, entity)
    assert best is not None
    return best


def _zone(case: types.Case, stage: Stage, entity: types.Entity | None) -> str:
    if stage.local.zone:
        return stage.local.zone
    return entity.time_zone if entity is not None else case.time_zone


def _result(
    case: types.Case,
    regime: Regime,
    stage: Stage,
    entity: types.Entity | None,
    status: int,
    reason: str,
    params: Mapping[str, Any],
) -> types.Result:
    period = params.get(stage.period) if isinstance(stage.period, str) else stage.period
    tz = _zone(case, stage, entity)
    base: dict[str, Any] = {
        "regime": regime.key,
        "regime_name": regime.name,
        "stage": stage.key,
        "stage_name": stage.name,
        "notify": stage.notify,
        "entity": entity.name if entity is not None else "",
        "counting": stage.counting,
        "period": period,
        "anchor": stage.anchor,
        "local_zone": tz,
        "rule": stage.deadline_text,
        "verified": regime.verified and stage.verified,
    }
    if status == FAILS:
        return types.Result(
            **base,
            required=False,
            reason=reason,
            anchor_at=None,
            provisional=False,
            due_at=None,
            due_date=None,
            alternative=None,
            relief="",
            basis="",
        )
    clock = _Clock(case, regime, stage, entity, tz, period, params)
    clock.run()
    provisional = clock.provisional or status == UNKNOWN
    return types.Result(
        **base,
        required=True,
        reason=reason or "applies",
        anchor_at=clock.anchor_at,
        provisional=provisional,
        due_at=clock.due_at,
        due_date=clock.due_date,
        alternative=clock.alternative,
        relief=clock.relief,
        basis=clock.basis,
        waiting_for=clock.waiting_for,
    )


def _iso(instant: dt.datetime, tz: str) -> str:
    return instant.astimezone(counting.zone(tz)).isoformat(timespec="minutes")


class _Clock:
    """Works out one required stage's anchor and due time; fills the Result's clock fields."""

    __slots__ = (
        "alternative",
        "anchor_at",
        "basis",
        "case",
        "due_at",
        "due_date",
        "entity",
        "notes",
        "params",
        "period",
        "provisional",
        "regime",
        "relief",
        "stage",
        "tz",
        "waiting_for",
    )

    def __init__(
        self,
        case: types.Case,
        regime: Regime,
        stage: Stage,
        entity: types.Entity | None,
        tz: str,
        period: int | None,
        params: Mapping[str, Any],
    ) -> None:
        self.case = case
        self.regime = regime
        self.stage = stage
        self.entity = entity
        self.tz = tz
        self.period = period
        self.params = params
        self.anchor_at: dt.datetime | None = None
        self.provisional = False
        self.due_at: dt.datetime | None = None
        self.due_date: dt.date | None = None
        self.alternative: types.Alternative | None = None
        self.relief = ""
        self.waiting_for = ""
        self.notes: list[str] = []
        self.basis = ""

    # --- anchors ---

    def fact(self, kind: str) -> tuple[dt.datetime | None, bool]:
        """A dated fact, or detection standing in for it (provisional)."""
        at = self.case.dated.get(kind)
        if at is not None:
            return at, False
        detection = self.case.dated.get(types.DETECTION)
        label = fact_label(kind)
        if detection is None:
            also = "" if kind == types.DETECTION else " (or detection)"
            self.waiting_for = f"{label}{also} to be recorded"
            return None, False
        self.notes.append(f"{label} not recorded: provisional, from detection")
        return detection, True

    def resolve_anchor(self) -> dt.datetime | None:
        stage = self.stage
        kind = stage.anchor_kind
        if kind == "fact":
            at, provisional = self.fact(stage.anchor)
            self.provisional = provisional
            return at
        if kind == "submission":
            latest = None
            for anchor in (stage.anchor, *stage.anchor_latest_of):
                key = f"{self.regime.key}/{anchor.removeprefix(types.SUBMISSION_ANCHOR_PREFIX)}"
                at = self.case.submissions.get(key)
                if anchor != stage.anchor:  # a latest-of anchor: its latest submission
                    at = self.case.latest_submissions.get(key, at)
                if at is not None and (latest is None or at > latest):
                    latest = at
            if latest is None:
                first = stage.anchor.removeprefix(types.SUBMISSION_ANCHOR_PREFIX)
                self.waiting_for = f"submission of {self.regime.stage(first).name}"
            return latest
        if kind == "derived":
            return self.derived()
        self.waiting_for = stage.waiting_for
        return None

    def derived(self) -> dt.datetime | None:
        stage = self.stage
        if stage.anchor == CALENDAR_YEAR_END:
            at, self.provisional = self.fact(stage.anchor_from)
            if at is None:
                return None
            return counting.calendar_year_end(at, self.tz)
        assert stage.anchor == THRESHOLD_CROSSED
        start = self.case.outage_started_at
        if start is None:
            start = self.case.dated.get(types.DETECTION)
            if start is None:
                self.waiting_for = "the outage start (or detection) to be recorded"
                return None
            self.provisional = True
            self.notes.append("outage start not recorded: provisional, from detection")
        minutes = self.params.get("min_outage_minutes") or 0
        crossed = start + dt.timedelta(minutes=minutes)
        self.notes.append(f"outage longer than {minutes} minutes from {_iso(crossed, self.tz)}")
        return crossed

    # --- counting ---

    def run(self) -> None:
        self.anchor_at = self.resolve_anchor()
        stage = self.stage
        if stage.counting == types.NO_FIXED_PERIOD:
            self.basis = self.join("no fixed period: without undue delay, no computed due time")
            return
        if self.anchor_at is None or self.period is None:
            self.basis = self.join(f"waiting for {self.waiting_for}")
            return
        method = getattr(self, f"count_{stage.counting}")
        method(self.anchor_at, self.period)
        if stage.relief is not None:
            self.apply_relief()
        self.basis = self.join(self.basis)

    def join(self, text: str) -> str:
        return "; ".join([*self.notes, text]) if self.notes else text

    def count_elapsed_hours(self, anchor: dt.datetime, hours: int) -> None:
        stage = self.stage
        due = counting.add_hours(anchor, hours)
        self.basis = f"{hours} elapsed hours from {_iso(anchor, self.tz)} (counted in UTC)"
        if stage.outer_limit is not None:
            self.dora_initial(anchor, hours)
            return
        self.due_at = due
        if stage.alternative is not None and stage.alternative.method == WHOLE_CLOCK_HOUR:
            alt = counting.add_hours_from_next_whole_hour(anchor, hours, self.tz)
            self.alternative = types.Alternative(alt, stage.alternative.basis)

    def dora_initial(self, classified: dt.datetime, hours: int) -> None:
        """RTS 2025/301 Art. 5(1)(a) and 5(2): 4 h from classification, 24 h from awareness."""
        limit = self.stage.outer_limit
        assert limit is not None
        from_classification = counting.add_hours(classified, hours)
        aware, provisional = self.fact(limit.anchor)
        if aware is None:
            self.waiting_for = ""
            self.due_at = from_classification
            self.basis = f"{hours} h from classification {_iso(classified, self.tz)}"
            return
        self.provisional = self.provisional or provisional
        outer = counting.add_hours(aware, limit.period)
        if classified - aware > dt.timedelta(hours=limit.period):
            self.due_at = from_classification
            self.basis = (
                f"classified {_iso(classified, self.tz)}, more than {limit.period} h after "
                f"awareness {_iso(aware, self.tz)}: {hours} h from classification (Art. 5(2))"
            )
        elif outer < from_classification:
            self.due_at = outer
            self.basis = (
                f"{limit.period} h from awareness {_iso(aware, self.tz)} comes before "
                f"{hours} h from classification {_iso(classified, self.tz)}: the earlier binds"
            )
        else:
            self.due_at = from_classification
            self.basis = (
                f"{hours} h from classification {_iso(classified, self.tz)}, before "
                f"{limit.period} h from awareness {_iso(aware, self.tz)}"
            )

    def count_calendar_days(self, anchor: dt.datetime, days: int) -> None:
        self.due_date = counting.add_days(anchor, days, self.tz)
        self.due_at = self.day_deadline(self.due_date)
        self.basis = (
            f"{days} calendar days after {counting.local_date(anchor, self.tz)} "
            f"({self.tz}), anchor day excluded; {self.day_end_text()}"
        )

    def count_business_days(self, anchor: dt.datetime, days: int) -> None:
        cal = counting.calendar(self.calendar_codes())
        if self.stage.local.weekend_start == NEXT_BUSINESS_DAY:
            self.due_date, how = counting.sec_business_days(anchor, days, self.tz, cal)
        else:
            start = counting.local_date(anchor, self.tz)
            self.due_date = cal.add_business_days(start, days)
            how = f"{days} business days after {start}"
        self.due_at = self.day_deadline(self.due_date)
        self.basis = (
            f"{how} ({self.tz}; weekends and holidays of {cal.describe()} skipped); "
            f"{self.day_end_text()}"
        )

    def count_calendar_months(self, anchor: dt.datetime, months: int) -> None:
        self.due_at = counting.add_months(anchor, months, self.tz)
        self.due_date = counting.local_date(self.due_at, self.tz)
        self.basis = (
            f"{months} calendar month{'s' if months > 1 else ''} from {_iso(anchor, self.tz)}: "
            f"same day and local time ({self.tz}), or the last day of a shorter month"
        )
        if self.stage.alternative is not None and self.stage.alternative.method == END_OF_DAY:
            alt = counting.add_months_end_of_day(anchor, months, self.tz)
            self.alternative = types.Alternative(alt, self.stage.alternative.basis)

    def day_deadline(self, day: dt.date) -> dt.datetime:
        cutoff = self.stage.local.cutoff
        if cutoff is not None:
            return counting.local_at(day, dt.time(*cutoff), self.tz)
        return counting.end_of_day(day, self.tz)

    def day_end_text(self) -> str:
        cutoff = self.stage.local.cutoff
        if cutoff is not None:
            return f"due by the {cutoff[0]:02d}:{cutoff[1]:02d} cut-off of the due day"
        return "due by the end of the due day"

    def calendar_codes(self) -> tuple[str, ...]:
        wanted = self.stage.local.calendar
        if wanted and wanted != "entity":
            return (wanted,)
        return self.entity_calendars()

    def entity_calendars(self) -> tuple[str, ...]:
        entity = self.entity
        if entity is None:
            return ()
        if entity.holiday_calendars:
            return tuple(entity.holiday_calendars)
        return tuple(sorted({j.split("-", 1)[0] for j in entity.jurisdictions}))

    # --- relief ---

    def apply_relief(self) -> None:
        relief = self.stage.relief
        assert relief is not None
        if self.due_at is None or relief.rule != DORA_ART5_4:
            return
        statuses = self.entity.statuses if self.entity is not None else frozenset()
        excluded = sorted(statuses & relief.excluded_statuses)
        if excluded:
            self.notes.append(
                f"no weekend or holiday relief: excluded by RTS 2025/301 Art. 5(5) for "
                f"{', '.join(excluded)}"
            )
            return
        codes = self.entity_calendars()
        if self.entity is not None and not self.entity.holiday_calendars:
            codes = tuple(c for c in codes if c in EU_MEMBER_STATES) or codes
        cal = counting.calendar(codes)
        limit = self.due_at
        relieved = counting.relieve(limit, self.tz, cal)
        if relieved is not None:
            self.due_at = relieved
            self.due_date = counting.local_date(relieved, self.tz)
            self.relief = (
                f"RTS 2025/301 Art. 5(4): the limit {_iso(limit, self.tz)} falls on a weekend "
                f"day or holiday ({cal.describe()}); may be met by noon of the next working "
                f"day, {_iso(relieved, self.tz)}"
            )
        if self.alternative is not None and self.alternative.due_at is not None:
            alt = counting.relieve(self.alternative.due_at, self.tz, cal)
            if alt is not None:
                self.alternative = types.Alternative(
                    alt, f"{self.alternative.basis}; with the Art. 5(4) relief"
                )
