"""`manage.py regimes --compare PATH`: each reference stage's counting and anchor against ours."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from compliance.deadlines.compare import normalise_anchor, normalise_counting


def _stage(name, counting, relative_to):
    return {"name": name, "counting": counting, "relative_to": relative_to}


def _reference():
    """Three regimes written as the research notes write them (not as our data does)."""
    return [
        {
            "id": "eu_gdpr_art33_art34",
            "stages": [
                _stage("Processor notifies controller", "no fixed period", "processor_awareness"),
                _stage(
                    "Notification to supervisory authority", "elapsed_hours", "controller_awareness"
                ),
                _stage("Communication to data subjects", "no fixed period", "controller_awareness"),
            ],
        },
        {
            "id": "eu_dora_major_ict_incident",
            "stages": [
                _stage("Initial notification", "elapsed_hours", "classification_and_awareness"),
                _stage(
                    "Intermediate report",
                    "elapsed_hours",
                    "actual_submission_of_initial_notification",
                ),
                _stage("Updated intermediate report", "no fixed period", "event"),
                _stage(
                    "Final report",
                    "calendar_months",
                    "actual_submission_of_latest_intermediate_report",
                ),
                _stage("Client information", "no fixed period", "awareness"),
            ],
        },
        {
            "id": "us_sec_form_8k_item_1_05",
            "stages": [
                _stage(
                    "Form 8-K Item 1.05 filing",
                    "business_days_us_federal",
                    "materiality_determination",
                ),
                _stage("Form 8-K/A amendment", "business_days_us_federal", "information_available"),
                _stage(
                    "Delay for national security / public safety",
                    "calendar_days",
                    "ag_determination",
                ),
            ],
        },
    ]


def _run(tmp_path, reference):
    path = tmp_path / "reference.json"
    path.write_text(json.dumps(reference), encoding="utf-8")
    out = io.StringIO()
    try:
        call_command("regimes", "--compare", str(path), stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_a_reference_that_agrees_with_our_data_passes_stage_by_stage(tmp_path):
    out, error = _run(tmp_path, _reference())
    assert error is None
    assert out.count("OK   ") == 11
    assert "11 reference stages in 3 regimes compared: 0 mismatch(es)." in out
    assert "OK   eu_dora_major_ict_incident #1 Initial notification" in out
    assert "Only in our data (not compared):" in out  # the regimes this reference leaves out


def test_a_different_counting_method_is_a_mismatch_and_exits_1(tmp_path):
    reference = _reference()
    reference[0]["stages"][1]["counting"] = "calendar_days"
    out, error = _run(tmp_path, reference)
    assert error is not None and error.returncode == 1
    assert "1 mismatch(es)" in str(error)
    assert "DIFF eu_gdpr_art33_art34 #2 Notification to supervisory authority" in out
    assert "counting: reference 'calendar_days' (calendar_days), ours elapsed_hours" in out


def test_a_different_anchor_is_a_mismatch(tmp_path):
    reference = _reference()
    reference[1]["stages"][1]["relative_to"] = "classification"
    out, error = _run(tmp_path, reference)
    assert error is not None
    assert "anchor: reference 'classification' (classification_major), " in out
    assert "ours submission:initial_notification" in out


def test_a_business_day_count_on_another_calendar_is_a_mismatch(tmp_path):
    reference = _reference()
    reference[2]["stages"][0]["counting"] = "business days"
    out, error = _run(tmp_path, reference)
    assert error is not None
    assert "ours business_days:US" in out


def test_a_regime_missing_from_our_data_is_a_mismatch(tmp_path):
    reference = [*_reference(), {"id": "xx_unknown_regime", "stages": []}]
    out, error = _run(tmp_path, reference)
    assert error is not None
    assert "DIFF xx_unknown_regime: regime missing from our data" in out


def test_a_stage_missing_from_our_data_is_a_mismatch(tmp_path):
    reference = _reference()
    reference[2]["stages"].append(_stage("Form 8-K/B", "business days", "materiality"))
    out, error = _run(tmp_path, reference)
    assert error is not None
    assert "DIFF us_sec_form_8k_item_1_05 #4 Form 8-K/B: stage missing from our data" in out


def test_a_renamed_stage_is_matched_by_its_position(tmp_path):
    reference = _reference()
    reference[0]["stages"][1]["name"] = "Notify the SA"
    out, error = _run(tmp_path, reference)
    assert error is None
    assert "matched by position (ours: 'Notification to supervisory authority')" in out


def test_an_unreadable_reference_is_refused_with_its_path(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError, match="broken"):
        call_command("regimes", "--compare", str(path), stdout=io.StringIO())


def test_counting_names_are_normalised_to_the_five_methods():
    assert normalise_counting("business/working days") == "business_days"
    assert normalise_counting("business_days_us_federal") == "business_days:US"
    assert normalise_counting("No fixed period") == "no_fixed_period"
    assert normalise_counting("Calendar months") == "calendar_months"
    assert normalise_counting("fortnights").startswith("unknown")


def test_anchor_names_are_normalised_to_our_vocabulary():
    assert normalise_anchor("determination") == {"breach_determination"}
    assert normalise_anchor("classification_and_awareness") == {
        "classification_major",
        "awareness",
    }
    assert normalise_anchor("actual_submission_of_latest_intermediate_report") == {
        "submission:intermediate_report"
    }
