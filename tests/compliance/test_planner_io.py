"""The one parser (JSON -> Case) and the one serialiser (Results -> JSON) of the planner, the
command and the API: plain Python, no database."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest

from compliance.deadlines import types
from compliance.deadlines.io import CaseInputError, case_from_json, result_json, results_json

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
ENTITY = {
    "name": "Acme SAS",
    "jurisdictions": ["FR"],
    "statuses": ["gdpr_controller", "dora_financial_entity"],
    "holiday_calendars": ["FR"],
    "time_zone": "Europe/Paris",
}


def errors_of(data, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(CaseInputError) as refused:
        case_from_json(data, **kwargs)
    return refused.value.errors


def test_a_full_input_becomes_the_case_it_describes():
    case = case_from_json(
        {
            "reference": "plan-1",
            "time_zone": "Europe/Paris",
            "entities": [ENTITY],
            "regimes": ["eu_gdpr_art33_art34"],
            "incident_type": "personal_data_breach",
            "severity": "P1",
            "personal_data": True,
            "affected_users": 1200,
            "outage_minutes": 300,
            "facts": {
                "detection": "2026-03-28T21:30:00Z",
                "controller_awareness": {"at": "2026-03-28T23:00", "time_zone": "Europe/Paris"},
            },
            "gdpr_risk": "risk",
            "persons_affected": {"FR": 120, "US-CA": 4},
            "submissions": {"eu_dora_major_ict_incident/initial": "2026-03-29T08:00:00+02:00"},
        }
    )
    assert case.reference == "plan-1"
    assert case.entities == (
        types.Entity(
            name="Acme SAS",
            jurisdictions=frozenset({"FR"}),
            statuses=frozenset({"gdpr_controller", "dora_financial_entity"}),
            holiday_calendars=("FR",),
            time_zone="Europe/Paris",
        ),
    )
    assert case.regimes == frozenset({"eu_gdpr_art33_art34"})
    awareness = case.dated[types.CONTROLLER_AWARENESS]
    assert awareness.tzinfo == PARIS
    assert awareness.astimezone(dt.UTC) == dt.datetime(2026, 3, 28, 22, 0, tzinfo=dt.UTC)
    assert case.dated[types.DETECTION] == dt.datetime(2026, 3, 28, 21, 30, tzinfo=dt.UTC)
    assert case.involves_personal_data and not case.involves_payment_data
    assert (case.affected_users, case.outage_minutes, case.gdpr_risk) == (1200, 300, "risk")
    assert case.persons_affected == {"FR": 120, "US-CA": 4}
    assert list(case.submissions) == ["eu_dora_major_ict_incident/initial"]


def test_all_that_apply_is_the_default_and_all_means_the_same():
    assert case_from_json({"entities": [ENTITY]}).regimes is None
    assert case_from_json({"entities": [ENTITY], "regimes": "all"}).regimes is None


def test_every_bad_field_is_named_by_its_path():
    errors = errors_of(
        {
            "entities": [{**ENTITY, "time_zone": "Mars/Olympus", "statuses": ["pirate"]}],
            "severity": "P9",
            "personal_data": "yes",
            "affected_users": -1,
            "facts": {"controller_awareness": "2026-03-28T23:00", "sunrise": "x"},
            "persons_affected": {"france": 3},
            "gdpr_risk": "maybe",
            "colour": "blue",
        }
    )
    assert set(errors) == {
        "entities.0.time_zone",
        "entities.0.statuses",
        "severity",
        "personal_data",
        "affected_users",
        "facts.controller_awareness",
        "facts.sunrise",
        "persons_affected.france",
        "gdpr_risk",
        "colour",
    }
    assert "offset" in errors["facts.controller_awareness"][0]
    assert "pirate" in errors["entities.0.statuses"][0]


def test_a_wall_clock_time_the_clocks_skip_or_repeat_is_refused_in_its_zone():
    skipped = errors_of(
        {
            "entities": [ENTITY],
            "facts": {"awareness": {"at": "2026-03-29T02:30", "time_zone": "Europe/Paris"}},
        }
    )
    assert "does not exist in Europe/Paris" in skipped["facts.awareness.at"][0]
    repeated = errors_of(
        {
            "entities": [ENTITY],
            "facts": {"awareness": {"at": "2026-10-25T02:30", "time_zone": "Europe/Paris"}},
        }
    )
    assert "happens twice" in repeated["facts.awareness.at"][0]
    # With its offset, the repeated hour is one instant, kept in its zone.
    case = case_from_json(
        {
            "entities": [ENTITY],
            "facts": {"awareness": {"at": "2026-10-25T02:30+01:00", "time_zone": "Europe/Paris"}},
        }
    )
    assert case.dated["awareness"].astimezone(dt.UTC).hour == 1
    assert case.dated["awareness"].tzinfo == PARIS


def test_no_entity_an_unknown_regime_and_a_year_out_of_range_are_refused():
    assert "entities" in errors_of({"entities": []})
    assert "regimes" in errors_of(
        {"entities": [ENTITY], "regimes": ["no_such"]}, regime_keys={"eu_gdpr_art33_art34"}
    )
    errors = errors_of({"entities": [ENTITY], "facts": {"detection": "0999-01-01T00:00Z"}})
    assert "year" in errors["facts.detection"][0]


def test_an_unsupported_holiday_calendar_is_refused():
    errors = errors_of({"entities": [{**ENTITY, "holiday_calendars": ["ZZ", "US-XX", "DE-BY"]}]})
    assert errors["entities.0.holiday_calendars"] == [
        "Not a holiday calendar code (FR, DE-BY, US): ZZ, US-XX."
    ]


@pytest.mark.parametrize("data", [[], "text", None, 5])
def test_input_that_is_not_an_object_is_refused(data):
    assert "non_field_errors" in errors_of(data)


def _result(**changes) -> types.Result:
    values = {
        "regime": "eu_gdpr_art33_art34",
        "regime_name": "GDPR",
        "stage": "supervisory_authority",
        "stage_name": "Notification to supervisory authority",
        "notify": "Supervisory authority",
        "required": True,
        "reason": "Likely to result in a risk.",
        "entity": "Acme SAS",
        "counting": types.ELAPSED_HOURS,
        "period": 72,
        "anchor": types.CONTROLLER_AWARENESS,
        "anchor_at": dt.datetime(2026, 3, 28, 23, 0, tzinfo=PARIS),
        "provisional": False,
        "due_at": dt.datetime(2026, 3, 31, 21, 0, tzinfo=dt.UTC),
        "due_date": None,
        "local_zone": "Europe/Paris",
        "alternative": types.Alternative(
            due_at=dt.datetime(2026, 3, 31, 22, 0, tzinfo=dt.UTC), basis="whole clock hour"
        ),
        "relief": "",
        "rule": "72 hours after becoming aware",
        "basis": "72 elapsed hours from controller awareness, in UTC",
        "verified": True,
    }
    values.update(changes)
    return types.Result(**values)


def test_a_result_is_written_with_its_due_time_in_utc_and_in_its_local_zone():
    written = result_json(_result())
    assert written["due_utc"] == "2026-03-31T21:00:00Z"
    assert written["due_local"] == "2026-03-31T23:00:00+02:00"
    assert written["anchor_utc"] == "2026-03-28T22:00:00Z"
    assert written["alternative"] == {
        "due_utc": "2026-03-31T22:00:00Z",
        "due_local": "2026-04-01T00:00:00+02:00",
        "basis": "whole clock hour",
    }
    assert json.loads(json.dumps(written)) == written


def test_a_stage_without_a_due_time_is_written_with_nulls_and_what_it_waits_for():
    written = results_json(
        [
            _result(
                due_at=None,
                anchor_at=None,
                alternative=None,
                counting=types.NO_FIXED_PERIOD,
                period=None,
                waiting_for="submission of Initial notification",
                verified=False,
            )
        ]
    )[0]
    assert (written["due_utc"], written["due_local"], written["alternative"]) == (None, None, None)
    assert written["waiting_for"] == "submission of Initial notification"
    assert written["verified"] is False
