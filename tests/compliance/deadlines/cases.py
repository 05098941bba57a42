"""Builders for deadline-engine tests: entities, cases and a look-up of one stage's result."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from compliance.deadlines import types
from compliance.deadlines.engine import evaluate

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def at(text: str, tz: Any = UTC) -> dt.datetime:
    """An aware datetime from "2026-03-28 10:00" in a zone (UTC unless given)."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=tz)


def entity(
    name: str = "Acme SAS",
    *,
    jurisdictions: tuple[str, ...] = ("FR",),
    statuses: tuple[str, ...] = ("gdpr_controller",),
    calendars: tuple[str, ...] = ("FR",),
    time_zone: str = "Europe/Paris",
) -> types.Entity:
    return types.Entity(
        name=name,
        jurisdictions=frozenset(jurisdictions),
        statuses=frozenset(statuses),
        holiday_calendars=calendars,
        time_zone=time_zone,
    )


def us_entity(*statuses: str, jurisdictions: tuple[str, ...] = ("US-NY",)) -> types.Entity:
    return entity(
        "Acme Inc",
        jurisdictions=jurisdictions,
        statuses=statuses,
        calendars=("US",),
        time_zone="America/New_York",
    )


def dora_entity(*extra: str) -> types.Entity:
    return entity("Acme Payments SA", statuses=("dora_financial_entity", *extra))


def case(*entities: types.Entity, **fields: Any) -> types.Case:
    fields.setdefault("time_zone", "Europe/Paris")
    fields.setdefault("severity", "P2")
    fields.setdefault("entities", entities or (entity(),))
    return types.Case(reference="INC-1", **fields)


def result(the_case: types.Case, key: str, **kwargs: Any) -> types.Result:
    """The result of one stage ("regime/stage"); fails if the engine gave none."""
    found = [r for r in evaluate(the_case, **kwargs) if r.key == key]
    assert len(found) == 1, f"{key}: {len(found)} results"
    return found[0]


def regime_keys(the_case: types.Case, **kwargs: Any) -> set[str]:
    return {r.regime for r in evaluate(the_case, **kwargs)}
