"""The regimes data file: complete, valid, and refused with a clear message when it is not."""

import copy
import json

import pytest

from compliance.deadlines import regimes, types
from compliance.deadlines.regimes import RegimeDataError, load_file, load_regimes, parse


def _raw():
    return json.loads(regimes.DATA_FILE.read_text(encoding="utf-8"))


def test_the_data_file_loads_every_regime_with_sources_and_known_counting_and_anchors():
    loaded = load_regimes()
    assert len(loaded) == 23
    assert sum(len(r.stages) for r in loaded) == 73
    for regime in loaded:
        assert regime.sources, regime.key
        assert all(cite and url for cite, url in regime.sources)
        for stage in regime.stages:
            assert stage.counting in types.COUNTING_METHODS, stage.key
            assert stage.anchor_kind in {"fact", "submission", "derived", "event"}
            if stage.anchor_kind == "event":
                assert stage.waiting_for, (regime.key, stage.key)
            if stage.counting != types.NO_FIXED_PERIOD:
                assert stage.period is not None, (regime.key, stage.key)


def test_the_data_file_is_read_once_per_process():
    assert load_regimes() is load_regimes()


def test_the_three_seed_rules_are_internal_with_editable_parameters():
    internal = {r.key: r for r in load_regimes() if r.internal}
    assert set(internal) == {
        "seed_payment_data_breach",
        "seed_personal_data_breach",
        "seed_service_outage_extended",
    }
    assert internal["seed_personal_data_breach"].parameters["severity_threshold"] == "P0"
    assert internal["seed_service_outage_extended"].parameters["min_outage_minutes"] == 240
    assert not any(r.verified for r in internal.values())


def test_a_bad_counting_method_is_refused_naming_regime_stage_and_field():
    raw = _raw()
    raw["regimes"][0]["stages"][1]["counting"] = "fortnights"
    with pytest.raises(
        RegimeDataError,
        match=r"regime eu_gdpr_art33_art34: stage "
        r"supervisory_authority: field counting",
    ):
        parse(raw)


def test_a_submission_anchor_must_name_another_stage_of_the_regime():
    raw = _raw()
    dora = next(r for r in raw["regimes"] if r["key"] == "eu_dora_major_ict_incident")
    dora["stages"][1]["anchor"] = "submission:no_such_stage"
    with pytest.raises(RegimeDataError, match="stage intermediate_report: field anchor"):
        parse(raw)


def test_an_untracked_event_anchor_must_say_what_it_waits_for():
    raw = _raw()
    nis2 = next(r for r in raw["regimes"] if r["key"] == "eu_nis2_art23")
    del nis2["stages"][3]["waiting_for"]
    with pytest.raises(RegimeDataError, match="stage intermediate_report: field waiting_for"):
        parse(raw)


def test_a_regime_without_sources_is_refused():
    raw = _raw()
    raw["regimes"][2]["sources"] = []
    with pytest.raises(RegimeDataError, match="regime uk_pecr_reg5a: field sources"):
        parse(raw)


def test_an_unknown_condition_term_or_status_is_refused():
    raw = _raw()
    bad = copy.deepcopy(raw)
    bad["regimes"][0]["scope"]["colour"] = "blue"
    with pytest.raises(RegimeDataError, match="regime eu_gdpr_art33_art34: field scope"):
        parse(bad)
    raw["regimes"][0]["stages"][0]["applies"] = {"statuses_any": ["pirate"]}
    with pytest.raises(RegimeDataError, match="stage processor_to_controller: field applies"):
        parse(raw)


def test_an_unreadable_file_is_named(tmp_path):
    path = tmp_path / "regimes.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(RegimeDataError, match=r"regimes\.json"):
        load_file(path)
