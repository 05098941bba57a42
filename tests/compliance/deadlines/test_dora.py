"""DORA: 4 hours from classification but no later than 24 from awareness; weekend relief."""

import datetime as dt

from compliance.deadlines import types
from tests.compliance.deadlines.cases import PARIS, at, case, dora_entity, result

INITIAL = "eu_dora_major_ict_incident/initial_notification"
INTERMEDIATE = "eu_dora_major_ict_incident/intermediate_report"
FINAL = "eu_dora_major_ict_incident/final_report"


def _dora(aware, classified, *extra, submissions=None):
    dated = {types.DETECTION: aware, types.AWARENESS: aware}
    if classified is not None:
        dated[types.CLASSIFICATION_MAJOR] = classified
    return case(dora_entity(*extra), dated=dated, submissions=submissions or {})


def test_four_hours_from_classification_bind_when_they_come_first():
    r = result(_dora(at("2026-03-02 08:00"), at("2026-03-02 10:00")), INITIAL)
    assert r.required and not r.provisional
    assert r.due_at == at("2026-03-02 14:00")
    assert r.anchor == types.CLASSIFICATION_MAJOR
    assert r.anchor_at == at("2026-03-02 10:00")


def test_twenty_four_hours_from_awareness_bind_when_classification_comes_late_that_day():
    r = result(_dora(at("2026-03-02 08:00"), at("2026-03-03 06:00")), INITIAL)
    assert r.due_at == at("2026-03-03 08:00")
    assert "earlier binds" in r.basis


def test_a_classification_more_than_24_hours_after_awareness_gets_four_hours_from_it():
    r = result(_dora(at("2026-03-02 08:00"), at("2026-03-03 12:00")), INITIAL)
    assert r.due_at == at("2026-03-03 16:00")
    assert "Art. 5(2)" in r.basis


def test_an_incident_not_classified_major_starts_no_dora_report():
    r = result(_dora(at("2026-03-02 08:00"), None), INITIAL)
    assert not r.required
    assert "classified as major" in r.reason


def test_a_limit_falling_on_a_saturday_may_be_met_by_noon_on_monday():
    # Classified Friday 6 March 2026 22:00 UTC: 4 h later is Saturday 03:00 in Paris.
    r = result(_dora(at("2026-03-06 14:00"), at("2026-03-06 22:00")), INITIAL)
    assert r.due_at == at("2026-03-09 12:00", PARIS)
    assert r.due_date == dt.date(2026, 3, 9)
    assert "Art. 5(4)" in r.relief
    assert "2026-03-07T03:00+01:00" in r.relief


def test_a_limit_falling_on_a_member_state_bank_holiday_moves_to_noon_the_next_working_day():
    # Ascension Thursday, 14 May 2026, is a public holiday in France.
    r = result(_dora(at("2026-05-14 06:00"), at("2026-05-14 07:00")), INITIAL)
    assert r.due_at == at("2026-05-15 12:00", PARIS)
    assert r.relief


def test_a_holiday_friday_before_a_weekend_moves_the_limit_to_monday_noon():
    # 1 May 2026 is a Friday and a public holiday in France.
    r = result(_dora(at("2026-05-01 06:00"), at("2026-05-01 07:00")), INITIAL)
    assert r.due_at == at("2026-05-04 12:00", PARIS)


def test_a_limit_on_a_working_day_gets_no_relief():
    r = result(_dora(at("2026-03-02 08:00"), at("2026-03-02 10:00")), INITIAL)
    assert r.relief == ""


def test_credit_institutions_get_no_relief_for_the_initial_notification():
    r = result(
        _dora(at("2026-03-06 14:00"), at("2026-03-06 22:00"), "dora_relief_excluded"), INITIAL
    )
    assert r.due_at == at("2026-03-07 02:00")
    assert r.relief == ""
    assert "Art. 5(5)" in r.basis


def test_nis2_essential_and_important_entities_get_no_relief_for_the_intermediate_report():
    submitted = {"eu_dora_major_ict_incident/initial_notification": at("2026-03-04 10:00")}
    for status in ("nis2_essential", "nis2_important"):
        the_case = _dora(
            at("2026-03-04 06:00"), at("2026-03-04 07:00"), status, submissions=submitted
        )
        r = result(the_case, INTERMEDIATE)
        assert r.due_at == at("2026-03-07 10:00")  # a Saturday, kept
        assert r.relief == ""
    ordinary = _dora(at("2026-03-04 06:00"), at("2026-03-04 07:00"), submissions=submitted)
    assert result(ordinary, INTERMEDIATE).due_at == at("2026-03-09 12:00", PARIS)


def test_the_intermediate_report_runs_from_the_initial_notifications_actual_submission():
    aware, classified = at("2026-03-02 08:00"), at("2026-03-02 10:00")
    before = result(_dora(aware, classified), INTERMEDIATE)
    assert before.required and before.due_at is None
    assert before.waiting_for == "submission of Initial notification"
    submitted = {"eu_dora_major_ict_incident/initial_notification": at("2026-03-02 13:10")}
    after = result(_dora(aware, classified, submissions=submitted), INTERMEDIATE)
    assert after.anchor_at == at("2026-03-02 13:10")
    assert after.due_at == at("2026-03-05 13:10")  # 72 h from the submission, not classification


def test_an_excluded_entity_keeps_the_relief_for_its_final_report():
    # Intermediate report submitted 28 January 2026: one month is Saturday 28 February.
    submitted = {"eu_dora_major_ict_incident/intermediate_report": at("2026-01-28 10:00", PARIS)}
    the_case = _dora(
        at("2026-01-26 06:00"),
        at("2026-01-26 07:00"),
        "dora_relief_excluded",
        submissions=submitted,
    )
    r = result(the_case, FINAL)
    assert r.due_at == at("2026-03-02 12:00", PARIS)
    assert "Art. 5(4)" in r.relief


def test_the_final_report_runs_from_the_latest_updated_intermediate_report():
    submitted = {
        "eu_dora_major_ict_incident/intermediate_report": at("2026-01-28 10:00", PARIS),
        "eu_dora_major_ict_incident/updated_intermediate_report": at("2026-02-10 09:00", PARIS),
    }
    the_case = _dora(at("2026-01-26 06:00"), at("2026-01-26 07:00"), submissions=submitted)
    r = result(the_case, FINAL)
    assert r.anchor_at == at("2026-02-10 09:00", PARIS)
    assert r.due_at == at("2026-03-10 09:00", PARIS)


def test_missing_awareness_runs_the_outer_limit_from_detection_provisionally():
    the_case = case(
        dora_entity(),
        dated={
            types.DETECTION: at("2026-03-02 08:00"),
            types.CLASSIFICATION_MAJOR: at("2026-03-03 06:00"),
        },
    )
    r = result(the_case, INITIAL)
    assert r.provisional
    assert r.due_at == at("2026-03-03 08:00")
    assert "provisional, from detection" in r.basis


def test_a_second_submission_of_the_initial_notification_does_not_move_the_intermediate_report():
    aware, classified = at("2026-03-02 08:00"), at("2026-03-02 10:00")
    the_case = types.Case(
        **{
            **_dora(aware, classified).__dict__,
            "submissions": {INITIAL: at("2026-03-02 13:10")},
            "latest_submissions": {INITIAL: at("2026-03-03 09:00")},
        }
    )
    r = result(the_case, INTERMEDIATE)
    assert r.anchor_at == at("2026-03-02 13:10")
    assert r.due_at == at("2026-03-05 13:10")


def test_a_second_updated_intermediate_report_moves_the_final_report():
    intermediate = "eu_dora_major_ict_incident/intermediate_report"
    updated = "eu_dora_major_ict_incident/updated_intermediate_report"
    the_case = types.Case(
        **{
            **_dora(at("2026-01-26 06:00"), at("2026-01-26 07:00")).__dict__,
            "submissions": {
                intermediate: at("2026-01-28 10:00", PARIS),
                updated: at("2026-02-05 09:00", PARIS),
            },
            "latest_submissions": {
                intermediate: at("2026-02-20 09:00", PARIS),  # a resubmission: not read
                updated: at("2026-02-10 09:00", PARIS),
            },
        }
    )
    r = result(the_case, FINAL)
    assert r.anchor_at == at("2026-02-10 09:00", PARIS)
    assert r.due_at == at("2026-03-10 09:00", PARIS)
