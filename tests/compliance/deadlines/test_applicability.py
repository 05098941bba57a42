"""Which regimes and stages a case starts, and the reasons given for those it does not."""

import pytest

from compliance.deadlines import types
from compliance.deadlines.engine import OverrideError, evaluate
from tests.compliance.deadlines.cases import at, case, entity, regime_keys, result, us_entity

OUTAGE = "seed_service_outage_extended/consumer_protection_authority"
GDPR_SA = "eu_gdpr_art33_art34/supervisory_authority"
GDPR_SUBJECTS = "eu_gdpr_art33_art34/data_subjects"
DETECTED = at("2026-03-02 08:00")


def _outage(minutes, users, **fields):
    return case(
        outage_started_at=DETECTED,
        outage_minutes=minutes,
        affected_users=users,
        dated={types.DETECTION: DETECTED},
        **fields,
    )


def test_an_outage_of_exactly_four_hours_creates_no_obligation():
    r = result(_outage(240, 5000), OUTAGE)
    assert not r.required
    assert r.due_at is None
    assert "outage of 240 minutes is not more than 240" in r.reason


def test_an_outage_affecting_exactly_1000_users_creates_no_obligation():
    r = result(_outage(300, 1000), OUTAGE)
    assert not r.required
    assert "1000 users affected is not more than 1000" in r.reason


def test_an_outage_just_over_both_thresholds_is_due_24_hours_after_crossing_four_hours():
    r = result(_outage(241, 1001), OUTAGE)
    assert r.required and not r.provisional
    assert r.anchor == "threshold_crossed"
    assert r.anchor_at == at("2026-03-02 12:00")
    assert r.due_at == at("2026-03-03 12:00")
    assert not r.verified  # the seed's rules are not law


def test_an_outage_still_running_counts_provisionally_as_over_the_threshold():
    r = result(_outage(None, 5000), OUTAGE)
    assert r.required and r.provisional
    assert "outage still running" in r.reason


def test_an_outage_still_running_for_30_minutes_creates_no_obligation_yet():
    r = result(_outage(30, 5000, outage_ongoing=True), OUTAGE)
    assert not r.required
    assert "outage still running, not yet more than 240 minutes" in r.reason


def test_an_outage_still_running_past_four_hours_is_due_24_hours_after_crossing_them():
    r = result(_outage(241, 5000, outage_ongoing=True), OUTAGE)
    assert r.required and not r.provisional
    assert r.due_at == at("2026-03-03 12:00")


def test_an_outage_still_running_is_worded_the_same_whatever_its_length_so_far():
    first = result(_outage(300, 5000, outage_ongoing=True), OUTAGE)
    later = result(_outage(900, 5000, outage_ongoing=True), OUTAGE)
    assert first == later
    assert "still running, more than 240 minutes" in first.reason


def test_an_administrator_can_change_the_seed_rules_parameters():
    overrides = {"seed_service_outage_extended": {"min_outage_minutes": 60, "deadline_hours": 12}}
    r = result(_outage(120, 5000), OUTAGE, overrides=overrides)
    assert r.required
    assert r.period == 12
    assert r.due_at == at("2026-03-02 21:00")  # 08:00 + 60 min + 12 h


def test_an_unknown_override_is_refused_by_name():
    with pytest.raises(OverrideError, match="no_such"):
        evaluate(_outage(120, 5000), overrides={"seed_service_outage_extended": {"no_such": 1}})


def test_a_disabled_regime_answers_nothing():
    assert "seed_service_outage_extended" not in regime_keys(
        _outage(300, 5000), disabled={"seed_service_outage_extended"}
    )


def _breach(risk, **fields):
    fields.setdefault("dated", {types.DETECTION: DETECTED, types.CONTROLLER_AWARENESS: DETECTED})
    return case(involves_personal_data=True, gdpr_risk=risk, **fields)


def test_a_breach_judged_unlikely_to_result_in_a_risk_needs_no_notification_to_the_authority():
    r = result(_breach(types.RISK_NONE), GDPR_SA)
    assert not r.required
    assert "unlikely to result in a risk" in r.reason
    assert r.due_at is None
    assert not result(_breach(types.RISK_NONE), GDPR_SUBJECTS).required


def test_a_breach_likely_to_result_in_a_risk_but_not_a_high_one_spares_the_data_subjects():
    assert result(_breach(types.RISK), GDPR_SA).required
    subjects = result(_breach(types.RISK), GDPR_SUBJECTS)
    assert not subjects.required
    assert "high risk" in subjects.reason


def test_a_high_risk_breach_requires_telling_the_data_subjects():
    r = result(_breach(types.RISK_HIGH), GDPR_SUBJECTS)
    assert r.required
    assert r.counting == types.NO_FIXED_PERIOD
    assert r.due_at is None
    assert r.anchor_at == DETECTED


def test_a_risk_not_yet_assessed_keeps_the_authority_clock_running_provisionally():
    r = result(_breach(None), GDPR_SA)
    assert r.required and r.provisional
    assert "not assessed" in r.reason
    assert r.due_at == at("2026-03-05 08:00")


def test_no_controller_awareness_yet_runs_the_gdpr_clock_from_detection_provisionally():
    r = result(_breach(types.RISK, dated={types.DETECTION: DETECTED}), GDPR_SA)
    assert r.required and r.provisional
    assert r.anchor == types.CONTROLLER_AWARENESS
    assert r.anchor_at == DETECTED
    assert r.due_at == at("2026-03-05 08:00")
    assert "provisional, from detection" in r.basis


def test_with_neither_awareness_nor_detection_the_clock_waits():
    r = result(_breach(types.RISK, dated={}), GDPR_SA)
    assert r.required and r.due_at is None
    assert "controller aware" in r.waiting_for


def test_a_p1_personal_data_breach_misses_the_seed_threshold_but_still_gets_gdpr():
    the_case = _breach(types.RISK, severity="P1")
    seed = result(the_case, "seed_personal_data_breach/data_protection_authority")
    assert not seed.required
    assert "below threshold" in seed.reason
    assert result(the_case, GDPR_SA).required


def test_a_p0_personal_data_breach_starts_the_seed_clock_from_detection():
    r = result(
        _breach(types.RISK, severity="P0"), "seed_personal_data_breach/data_protection_authority"
    )
    assert r.required
    assert r.due_at == at("2026-03-05 08:00")


def test_a_payment_data_breach_at_p1_starts_both_seed_notifications():
    the_case = case(involves_payment_data=True, severity="P1", dated={types.DETECTION: DETECTED})
    keys = {r.key for r in evaluate(the_case) if r.required}
    assert "seed_payment_data_breach/pci_dss_authority" in keys
    assert "seed_payment_data_breach/financial_conduct_authority" in keys
    low = case(involves_payment_data=True, severity="P2", dated={types.DETECTION: DETECTED})
    assert not result(low, "seed_payment_data_breach/pci_dss_authority").required


def test_regimes_unrelated_to_the_case_answer_nothing():
    keys = regime_keys(_breach(types.RISK))
    assert "eu_gdpr_art33_art34" in keys
    assert "us_sec_form_8k_item_1_05" not in keys  # no SEC registrant
    assert "uk_gdpr_ico" not in keys  # no entity in the UK
    assert "us_state_california" not in keys  # no Californian affected
    assert "seed_service_outage_extended" not in keys  # no outage


def test_a_us_state_law_follows_its_residents_even_without_an_entity_there():
    the_case = _breach(types.RISK, persons_affected={"US-CA": 600})
    r = result(the_case, "us_state_california/sample_notice_attorney_general")
    assert r.required
    assert r.waiting_for == "submission of Notice to residents"


def test_the_processor_stage_is_for_processors_only():
    processor = entity(statuses=("gdpr_processor",))
    the_case = _breach(types.RISK, entities=(processor,))
    assert result(the_case, "eu_gdpr_art33_art34/processor_to_controller").required
    sa = result(the_case, GDPR_SA)
    assert not sa.required
    assert "gdpr_processor" in sa.reason


def test_the_case_can_restrict_the_regimes_evaluated():
    the_case = _breach(types.RISK, regimes=frozenset({"seed_personal_data_breach"}))
    assert regime_keys(the_case) == {"seed_personal_data_breach"}


def test_the_regime_is_credited_to_the_entity_in_its_jurisdiction():
    paris = entity()
    ny = us_entity("gdpr_controller")
    the_case = _breach(types.RISK, entities=(paris, ny), persons_affected={"US-NY": 3})
    assert result(the_case, "us_state_new_york/notice_to_residents").entity == "Acme Inc"
    assert result(the_case, GDPR_SA).entity == "Acme SAS"


def test_unverified_stages_and_regimes_say_so_in_every_result():
    merchant = entity(statuses=("pci_merchant",))
    the_case = case(
        merchant, involves_payment_data=True, severity="P1", dated={types.DETECTION: DETECTED}
    )
    by_key = {r.key: r for r in evaluate(the_case)}
    assert not by_key["pci_dss_card_brands/mastercard_adc_report"].verified
    assert not by_key["pci_dss_card_brands/visa_account_numbers"].verified  # regime unverified
    assert not by_key["seed_payment_data_breach/pci_dss_authority"].verified
    assert result(_breach(types.RISK), GDPR_SA).verified


def test_gdpr_reaches_an_entity_outside_the_union_whose_breach_affects_people_in_it():
    ny = us_entity("gdpr_controller")
    the_case = _breach(types.RISK, entities=(ny,), persons_affected={"FR": 12, "US-NY": 40})
    r = result(the_case, GDPR_SA)
    assert r.required
    assert "12 persons affected in EEA" in r.reason
    assert "uk_gdpr_ico" not in regime_keys(the_case)


def test_a_personal_data_breach_incident_type_brings_gdpr_in_without_the_flag():
    the_case = case(
        incident_type="personal_data_breach",
        severity="P0",
        gdpr_risk=types.RISK,
        dated={types.DETECTION: DETECTED},
    )
    assert result(the_case, GDPR_SA).required
    assert result(the_case, "seed_personal_data_breach/data_protection_authority").required


def test_an_override_left_empty_keeps_the_files_value():
    overrides = {
        "seed_service_outage_extended": {"min_outage_minutes": None, "min_affected_users": None}
    }
    assert not result(_outage(240, 5000), OUTAGE, overrides=overrides).required


def test_an_empty_severity_override_drops_the_seed_rules_threshold():
    the_case = _breach(types.RISK, severity="P3")
    overrides = {"seed_personal_data_breach": {"severity_threshold": ""}}
    key = "seed_personal_data_breach/data_protection_authority"
    assert not result(the_case, key).required
    assert result(the_case, key, overrides=overrides).required


def test_an_override_of_the_wrong_type_is_refused():
    with pytest.raises(OverrideError, match="deadline_hours"):
        evaluate(
            _outage(300, 5000), overrides={"seed_service_outage_extended": {"deadline_hours": "24"}}
        )


def test_a_stage_from_detection_waits_for_detection_when_there_is_none():
    the_case = case(involves_payment_data=True, severity="P0", dated={})
    r = result(the_case, "seed_payment_data_breach/pci_dss_authority")
    assert r.required and r.due_at is None
    assert r.waiting_for == "detection to be recorded"


def test_a_required_stage_says_which_thresholds_it_passed():
    r = result(_outage(241, 1001), OUTAGE)
    assert "outage of 241 minutes, more than 240" in r.reason
    assert "1001 users affected, more than 1000" in r.reason
