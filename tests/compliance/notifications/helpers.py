"""Notification clocks in tests: people, incidents, engine results made by hand."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from bcp_portal.core import roles
from compliance import notifications
from compliance.deadlines import types
from tests.factories import UserFactory
from tests.incidents.factories import declare

DETECTED = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday


def person(role: str | None, username: str | None = None):
    name = username or f"n-{(role or 'outsider').lower().replace(' ', '-')}"
    return UserFactory(username=name, roles=[role] if role else [])


def incident(**fields: Any):
    sre = person(roles.SRE_LEAD, "n-declarer")
    fields.setdefault("detected_at", DETECTED)
    return declare(sre, **fields)


def result(
    regime: str = "gdpr",
    stage: str = "sa",
    *,
    required: bool = True,
    due_at: dt.datetime | None = DETECTED + dt.timedelta(hours=72),
    anchor_at: dt.datetime | None = DETECTED,
    **fields: Any,
) -> types.Result:
    values: dict[str, Any] = {
        "regime": regime,
        "regime_name": "GDPR",
        "stage": stage,
        "stage_name": "Supervisory authority",
        "notify": "The lead supervisory authority",
        "required": required,
        "reason": "Personal data breach likely to result in a risk."
        if required
        else "Unlikely to result in a risk.",
        "entity": "Acme SAS",
        "counting": types.ELAPSED_HOURS,
        "period": 72,
        "anchor": types.CONTROLLER_AWARENESS,
        "anchor_at": anchor_at,
        "provisional": False,
        "due_at": due_at,
        "due_date": None,
        "local_zone": "Europe/Paris",
        "alternative": None,
        "relief": "",
        "rule": "Without undue delay and, where feasible, not later than 72 hours.",
        "basis": "72 elapsed hours from awareness.",
        "verified": True,
        "waiting_for": "",
    }
    values.update(fields)
    return types.Result(**values)


class FakeEngine:
    """Stands in for the engine: answers `results`, remembers each Case it was asked."""

    def __init__(self) -> None:
        self.results: list[types.Result] = []
        self.cases: list[types.Case] = []

    def __call__(self, case: types.Case, in_force: Any = None) -> list[types.Result]:
        self.cases.append(case)
        return list(self.results)

    def set(self, *results: types.Result) -> None:
        self.results = list(results)


def replaced(r: types.Result, **changes: Any) -> types.Result:
    return dataclasses.replace(r, **changes)


@pytest.fixture
def engine(monkeypatch) -> FakeEngine:
    fake = FakeEngine()
    monkeypatch.setattr(notifications, "results_for", fake)
    return fake
