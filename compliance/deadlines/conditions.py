"""The small declarative vocabulary a regime or a stage says when it applies in.

A condition is a JSON object; its terms all hold (an empty object always holds). Terms:

- `statuses_any` / `statuses_none`: the entity has one of / none of these statuses
  (catalogue.regulatory.ENTITY_STATUSES);
- `acting_for_another`: true — the entity processes data on another organisation's behalf
  (status gdpr_processor, hipaa_business_associate or sg_data_intermediary);
- `jurisdictions_any`: the entity is in one of these: "EU" (a member state), "EEA", a country
  ("GB", "US": the country or any of its subdivisions) or a subdivision ("US-CA");
- `personal_data`, `payment_data`: the case involves (true) personal / payment card data;
- `outage`: true — the case has a service outage (a start or a duration);
- `incident_types_any`: the case's incident type is one of these;
- `severity_at_least`: "P1" holds for P1 and P0 (P0 the most severe);
- `gdpr_risk_at_least`: "risk" or "high_risk";
- `has_fact`: the case has this dated fact (DORA's classification as major, SEC's materiality);
- `outage_minutes_more_than`, `affected_users_more_than`: strictly more than the number (an
  outage still running, `Case.outage_ongoing`, is judged on its length so far, and worded
  without it: "still running, more than 240 minutes" / "still running, not yet more than");
- `persons_at_least`, `persons_more_than`, `persons_less_than`: {"region": R, "count": N}
  where R is a US state (US-CA), a country (its subdivisions included), "EU" or "EEA" (their
  countries summed), "total" (all regions) or "any_us_state" (the largest count of one state);
- `any_of`, `all_of`: lists of conditions.

A value may be {"param": name}: an internal rule's parameter, overridable per evaluation; a
threshold whose parameter is null or "" holds (no threshold).

Each check answers HOLDS, FAILS or UNKNOWN with the reason in words. UNKNOWN is a fact not
recorded yet (GDPR risk not assessed, persons affected not counted, an outage still running):
the engine treats it as holding, provisionally, so that no deadline passes silently — except
for `persons_less_than`, which fails while persons are not counted (the larger stage applies).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bcp_portal.catalogue.regulatory import EEA_STATES, ENTITY_STATUSES, EU_MEMBER_STATES
from compliance.deadlines import types

HOLDS = 0
UNKNOWN = 1
FAILS = 2

Outcome = tuple[int, str]
Params = Mapping[str, Any]
Check = Callable[[types.Case, "types.Entity | None", Params], Outcome]

ACTING_FOR_ANOTHER = frozenset(
    {"gdpr_processor", "hipaa_business_associate", "sg_data_intermediary"}
)
_SEVERITY_RANK = {"P0": 0, "P1": 1, "P2": 2, "P3": 3}
_RISK_RANK = {types.RISK_NONE: 0, types.RISK: 1, types.RISK_HIGH: 2}
_ENTITY_TERMS = {"statuses_any", "statuses_none", "acting_for_another", "jurisdictions_any"}


class ConditionError(ValueError):
    pass


def fact_label(kind: str) -> str:
    """A dated fact's name for a sentence: "breach discovered" for discovery."""
    return types.DATED_FACTS[kind].split(" (", 1)[0].lower()


@dataclass(frozen=True)
class Condition:
    check: Check
    needs_entity: bool  # some term reads the entity
    # The jurisdictions its jurisdictions_any terms accept: (countries, subdivisions).
    places: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())

    def mentions(self, entity: types.Entity) -> bool:
        """The entity is in a place the condition names (it, not only its data, is concerned)."""
        countries, exact = self.places
        return any(j in exact or j.split("-", 1)[0] in countries for j in entity.jurisdictions)

    def __call__(self, case: types.Case, entity: types.Entity | None, params: Params) -> Outcome:
        return self.check(case, entity, params)


def compile_condition(raw: Any, parameters: Mapping[str, Any]) -> Condition | None:
    """A checked, compiled condition; None for the empty condition (always holds)."""
    if not isinstance(raw, dict):
        raise ConditionError("a condition is an object")
    if not raw:
        return None
    checks = [_term(name, value, parameters) for name, value in raw.items()]
    if len(checks) == 1:
        return checks[0]
    return _combined(_all, checks)


def _combined(combine: Callable[[list[Check]], Check], parts: list[Condition]) -> Condition:
    return Condition(
        combine([c.check for c in parts]),
        any(c.needs_entity for c in parts),
        (
            frozenset().union(*(c.places[0] for c in parts)),
            frozenset().union(*(c.places[1] for c in parts)),
        ),
    )


def _all(checks: list[Check]) -> Check:
    def check(case: types.Case, entity: types.Entity | None, params: Params) -> Outcome:
        unknown: list[str] = []
        holds: list[str] = []
        for c in checks:
            status, reason = c(case, entity, params)
            if status == FAILS:
                return FAILS, reason
            (unknown if status == UNKNOWN else holds).append(reason)
        if unknown:
            return UNKNOWN, "; ".join(unknown)
        return HOLDS, "; ".join(r for r in holds if r)

    return check


def _any(checks: list[Check]) -> Check:
    def check(case: types.Case, entity: types.Entity | None, params: Params) -> Outcome:
        unknown: list[str] = []
        fails: list[str] = []
        for c in checks:
            status, reason = c(case, entity, params)
            if status == HOLDS:
                return HOLDS, reason
            (unknown if status == UNKNOWN else fails).append(reason)
        if unknown:
            return UNKNOWN, "; ".join(unknown)
        return FAILS, " and ".join(fails)

    return check


def _param(value: Any, parameters: Mapping[str, Any]) -> Callable[[Params], Any]:
    """A literal, or a reader of the named parameter."""
    if isinstance(value, dict):
        name = value.get("param")
        if set(value) != {"param"} or not isinstance(name, str) or name not in parameters:
            raise ConditionError(f"{value!r} names no parameter of this rule")
        return lambda params: params.get(name)
    return lambda params: value


def _strings(value: Any, name: str, allowed: Mapping[str, Any] | None = None) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConditionError(f"{name}: a non-empty list of texts is required")
    if allowed is not None:
        for v in value:
            if v not in allowed:
                raise ConditionError(f"{name}: unknown value {v!r}")
    return value


def _number(value: Any, name: str, parameters: Mapping[str, Any]) -> Callable[[Params], Any]:
    if not isinstance(value, dict) and (
        not isinstance(value, int) or isinstance(value, bool) or value < 0
    ):
        raise ConditionError(f"{name}: a number or a parameter is required")
    return _param(value, parameters)


def _term(name: str, value: Any, parameters: Mapping[str, Any]) -> Condition:
    needs_entity = name in _ENTITY_TERMS
    if name in ("any_of", "all_of"):
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{name}: a non-empty list of conditions is required")
        parts = [compile_condition(v, parameters) for v in value]
        checks = [p for p in parts if p is not None]
        if len(checks) != len(parts):
            raise ConditionError(f"{name}: an empty condition in the list")
        return _combined(_any if name == "any_of" else _all, checks)
    if name == "jurisdictions_any":
        countries, exact = _places(value)
        return Condition(_jurisdictions_any(countries, exact, value), True, (countries, exact))
    builder = _BUILDERS.get(name)
    if builder is None:
        raise ConditionError(f"unknown term {name!r}")
    return Condition(builder(value, parameters), needs_entity)


def _statuses_any(value: Any, parameters: Params) -> Check:
    wanted = frozenset(_strings(value, "statuses_any", ENTITY_STATUSES))
    text = ", ".join(sorted(wanted))

    def check(case: types.Case, entity: types.Entity | None, params: Params) -> Outcome:
        if entity is None:
            return FAILS, f"no entity with status {text}"
        found = sorted(wanted & entity.statuses)
        if found:
            return HOLDS, f"{entity.name} is {', '.join(found)}"
        return FAILS, f"{entity.name} has no status {text}"

    return check


def _statuses_none(value: Any, parameters: Params) -> Check:
    unwanted = frozenset(_strings(value, "statuses_none", ENTITY_STATUSES))

    def check(case: types.Case, entity: types.Entity | None, params: Params) -> Outcome:
        if entity is None:
            return FAILS, "no entity"
        found = sorted(unwanted & entity.statuses)
        if found:
            return FAILS, f"{entity.name} is {', '.join(found)}"
        return HOLDS, ""

    return check


def _acting_for_another(value: Any, parameters: Params) -> Check:
    if value is not True:
        raise ConditionError("acting_for_another: only true is meaningful")
    return _statuses_any(sorted(ACTING_FOR_ANOTHER), parameters)


def _places(value: Any) -> tuple[frozenset[str], frozenset[str]]:
    codes = _strings(value, "jurisdictions_any")
    countries: set[str] = set()
    exact: set[str] = set()
    for code in codes:
        if code == "EU":
            countries |= EU_MEMBER_STATES
        elif code == "EEA":
            countries |= EEA_STATES
        elif "-" in code:
            exact.add(code)
        else:
            countries.add(code)
    return frozenset(countries), frozenset(exact)


def _jurisdictions_any(countries: frozenset[str], exact: frozenset[str], codes: list[str]) -> Check:
    text = ", ".join(codes)

    def check(case: types.Case, entity: types.Entity | None, params: Params) -> Outcome:
        if entity is None:
            return FAILS, f"no entity in {text}"
        for j in sorted(entity.jurisdictions):
            if j in exact or j.split("-", 1)[0] in countries:
                return HOLDS, f"{entity.name} is in {j}"
        return FAILS, f"{entity.name} is not in {text}"

    return check


def _flag(attribute: str, yes: str, no: str) -> Callable[[Any, Params], Check]:
    def build(value: Any, parameters: Params) -> Check:
        if not isinstance(value, bool):
            raise ConditionError(f"{attribute}: true or false is required")

        def check(case: types.Case, entity: types.Entity | None, params: Params) -> Outcome:
            if bool(getattr(case, attribute)) == value:
                return HOLDS, yes if value else no
            return FAILS, no if value else yes

        return check

    return build


def _outage(value: Any, parameters: Params) -> Check:
    if value is not True:
        raise ConditionError("outage: only true is meaningful")

    def check(case: types.Case, entity: types.Entity | None, params: Params) -> Outcome:
        if case.outage_started_at is not None or case.outage_minutes is not None:
            return HOLDS, "a service outage"
        return FAILS, "no service outage"

    return check


def _incident_types_any(value: Any, parameters: Params) -> Check:
    if not isinstance(value, list) or not value:
        raise ConditionError("incident_types_any: a non-empty list is required")
    readers = [_param(v, parameters) for v in value]

    def check(case: types.Case, entity: types.Entity | None, params: Params) -> Outcome:
        wanted = {r(params) for r in readers} - {"", None}
        if case.incident_type and case.incident_type in wanted:
            return HOLDS, f"incident type {case.incident_type}"
        return FAILS, f"incident type {case.incident_type or '(none)'} is not {sorted(wanted)}"

    return check


def _severity_at_least(value: Any, parameters: Params) -> Check:
    read = _param(value, parameters)
    if not isinstance(value, dict) and value not in _SEVERITY_RANK:
        raise ConditionError(f"severity_at_least: {value!r} is not P0-P3")

    def check(case: types.Case, entity: types.Entity | None, params: Params) -> Outcome:
        threshold = read(params)
        if not threshold:
            return HOLDS, ""
        if case.severity not in _SEVERITY_RANK:
            return UNKNOWN, "severity not set (counted as meeting the threshold)"
        if _SEVERITY_RANK[case.severity] <= _SEVERITY_RANK[threshold]:
            return HOLDS, f"severity {case.severity} at or above {threshold}"
        return FAILS, f"below threshold: severity {case.severity} is below {threshold}"

    return check


def _gdpr_risk_at_least(value: Any, parameters: Params) -> Check:
    if value not in (types.RISK, types.RISK_HIGH):
        raise ConditionError(f"gdpr_risk_at_least: {value!r} is not risk or high_risk")
    needed = _RISK_RANK[value]

    def check(case: types.Case, entity: types.Entity | None, params: Params) -> Outcome:
        if case.gdpr_risk is None or case.gdpr_risk not in _RISK_RANK:
            return UNKNOWN, "GDPR risk not assessed yet (counted as notifiable until it is)"
        if _RISK_RANK[case.gdpr_risk] >= needed:
            return HOLDS, f"GDPR risk: {types.GDPR_RISK_LEVELS[case.gdpr_risk].lower()}"
        if case.gdpr_risk == types.RISK_NONE:
            return FAILS, "breach judged unlikely to result in a risk (GDPR Art. 33(1))"
        return FAILS, "breach judged not likely to result in a high risk (GDPR Art. 34(1))"

    return check


def _has_fact(value: Any, parameters: Params) -> Check:
    if value not in types.DATED_FACTS:
        raise ConditionError(f"has_fact: {value!r} is not a dated fact")
    label = fact_label(value)

    def check(case: types.Case, entity: types.Entity | None, params: Params) -> Outcome:
        if value in case.dated:
            return HOLDS, f"recorded: {label}"
        return FAILS, f"no fact recorded: {label}"

    return check


def _more_than(attribute: str, label: str, unknown: str) -> Callable[[Any, Params], Check]:
    """`label` reads the actual value ("outage of {n} minutes"); `unknown` says what is missing."""

    def build(value: Any, parameters: Params) -> Check:
        read = _number(value, attribute, parameters)

        def check(case: types.Case, entity: types.Entity | None, params: Params) -> Outcome:
            threshold = read(params)
            if threshold is None:
                return HOLDS, ""
            actual = getattr(case, attribute)
            if actual is None:
                return UNKNOWN, f"{unknown} (counted as more than {threshold})"
            text = label.format(n=actual)
            if actual > threshold:
                return HOLDS, f"{text}, more than {threshold}"
            return FAILS, f"below threshold: {text} is not more than {threshold}"

        return check

    return build


def _outage_more_than(value: Any, parameters: Params) -> Check:
    """Strictly more than N minutes of outage. A restored outage reads its length; one still
    running (`outage_ongoing`) reads its length so far, worded without it ("still running,
    more than 240 minutes") so that evaluating it again as it runs on changes nothing; a
    duration not known at all counts as met, provisionally."""
    read = _number(value, "outage_minutes", parameters)
    known = _more_than(
        "outage_minutes", "outage of {n} minutes", "outage still running or duration not known"
    )(value, parameters)

    def check(case: types.Case, entity: types.Entity | None, params: Params) -> Outcome:
        threshold = read(params)
        if threshold is None or not case.outage_ongoing or case.outage_minutes is None:
            return known(case, entity, params)
        if case.outage_minutes > threshold:
            return HOLDS, f"outage still running, more than {threshold} minutes"
        return (
            FAILS,
            f"below threshold: outage still running, not yet more than {threshold} minutes",
        )

    return check


def _persons(comparison: str) -> Callable[[Any, Params], Check]:
    def build(value: Any, parameters: Params) -> Check:
        name = f"persons_{comparison}"
        if not isinstance(value, dict) or set(value) != {"region", "count"}:
            raise ConditionError(f"{name}: {{region, count}} is required")
        region = value["region"]
        count = value["count"]
        if not isinstance(region, str) or not isinstance(count, int) or count < 0:
            raise ConditionError(f"{name}: a region code and a count are required")
        where = {"total": "in all", "any_us_state": "in one US state"}.get(region, f"in {region}")
        countries = _places([region])[0]

        def check(case: types.Case, entity: types.Entity | None, params: Params) -> Outcome:
            counts = case.persons_affected
            if not counts:
                if comparison == "less_than":
                    return FAILS, "persons affected not counted yet"
                return UNKNOWN, f"persons affected not counted yet (counted as {count} or more)"
            if region == "total":
                actual = sum(counts.values())
            elif region == "any_us_state":
                actual = max((n for r, n in counts.items() if r.startswith("US-")), default=0)
            elif "-" in region:
                actual = counts.get(region, 0)
            else:
                actual = sum(n for r, n in counts.items() if r.split("-", 1)[0] in countries)
            ok = {
                "at_least": actual >= count,
                "more_than": actual > count,
                "less_than": actual < count,
            }[comparison]
            words = comparison.replace("_", " ")
            text = f"{actual} persons affected {where}"
            if ok:
                return HOLDS, f"{text} ({words} {count})"
            return FAILS, f"below threshold: {text}, not {words} {count}"

        return check

    return build


_BUILDERS: dict[str, Callable[[Any, Params], Check]] = {
    "statuses_any": _statuses_any,
    "statuses_none": _statuses_none,
    "acting_for_another": _acting_for_another,
    "personal_data": _flag(
        "involves_personal_data", "personal data involved", "no personal data involved"
    ),
    "payment_data": _flag(
        "involves_payment_data", "payment card data involved", "no payment card data involved"
    ),
    "outage": _outage,
    "incident_types_any": _incident_types_any,
    "severity_at_least": _severity_at_least,
    "gdpr_risk_at_least": _gdpr_risk_at_least,
    "has_fact": _has_fact,
    "outage_minutes_more_than": _outage_more_than,
    "affected_users_more_than": _more_than(
        "affected_users", "{n} users affected", "affected users not counted yet"
    ),
    "persons_at_least": _persons("at_least"),
    "persons_more_than": _persons("more_than"),
    "persons_less_than": _persons("less_than"),
}
