"""The regimes of the data file as rows: loaded after migrate, idempotent, never overwriting
what an administrator chose; `engine_regimes()` reads what evaluate needs in one query."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from compliance import regime_loader
from compliance.models_notifications import NotificationRegime
from compliance.regime_loader import engine_regimes, regimes_load
from compliance.regime_services import regime_update
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return UserFactory(username="regime-admin", is_staff=True, is_superuser=True)


def _file_with(tmp_path, change):
    data = json.loads(regime_loader.DATA_FILE.read_text())
    change(data)
    path = tmp_path / "regimes.json"
    path.write_text(json.dumps(data))
    return path


def test_every_regime_of_the_data_file_has_a_row_after_migrate():
    keys = set(NotificationRegime.objects.values_list("key", flat=True))
    assert keys == set(regime_loader.file_regimes())
    seed = NotificationRegime.objects.get(key="seed_personal_data_breach")
    assert seed.is_internal and seed.enabled
    gdpr = NotificationRegime.objects.get(key="eu_gdpr_art33_art34")
    assert not gdpr.is_internal
    assert gdpr.name.startswith("GDPR")


def test_loading_twice_writes_no_history_row():
    before = NotificationRegime.history.count()
    report = regimes_load()
    assert report.added == [] and report.updated == []
    assert report.unchanged == NotificationRegime.objects.count()
    assert NotificationRegime.history.count() == before


def test_a_new_file_version_updates_names_but_never_enabled_or_an_edited_parameter(
    tmp_path, admin_user
):
    seed = NotificationRegime.objects.get(key="seed_service_outage_extended")
    gdpr = NotificationRegime.objects.get(key="eu_gdpr_art33_art34")
    regime_update(actor=admin_user, regime=gdpr, enabled=False)
    regime_update(actor=admin_user, regime=seed, min_outage_minutes=120)

    def bump(data):
        data["version"] += 1
        for regime in data["regimes"]:
            if regime["key"] == "eu_gdpr_art33_art34":
                regime["name"] = "GDPR breach notification (renamed)"
            if regime["key"] == "seed_service_outage_extended":
                regime["parameters"]["min_outage_minutes"] = 999

    path = _file_with(tmp_path, bump)
    report = regimes_load(path=path)

    gdpr.refresh_from_db()
    seed.refresh_from_db()
    assert gdpr.name == "GDPR breach notification (renamed)"
    assert gdpr.enabled is False
    assert seed.min_outage_minutes == 120
    assert seed.data_version == gdpr.data_version == json.loads(path.read_text())["version"]
    assert "eu_gdpr_art33_art34" in report.updated
    assert gdpr.history.latest().history_change_reason.startswith("Updated from the regimes")


def test_a_regime_left_out_of_a_new_file_is_reported_and_kept(tmp_path):
    path = _file_with(
        tmp_path,
        lambda data: data.update(regimes=[r for r in data["regimes"] if r["key"] != "us_circia"]),
    )
    report = regimes_load(path=path)
    assert report.missing_from_file == ["us_circia"]
    assert NotificationRegime.objects.filter(key="us_circia").exists()
    assert "no longer in the file" in str(report)


def test_engine_regimes_reads_switched_off_regimes_and_edited_parameters_in_one_query(
    admin_user, django_assert_num_queries
):
    regime_update(
        actor=admin_user,
        regime=NotificationRegime.objects.get(key="us_circia"),
        enabled=False,
    )
    regime_update(
        actor=admin_user,
        regime=NotificationRegime.objects.get(key="seed_personal_data_breach"),
        severity_threshold="P2",
        deadline_hours=48,
    )
    with django_assert_num_queries(1):
        answer = engine_regimes()
    assert answer.disabled == frozenset({"us_circia"})
    assert answer.overrides == {
        "seed_personal_data_breach": {"severity_threshold": "P2", "deadline_hours": 48}
    }
    assert answer.evaluate_kwargs()["disabled"] == answer.disabled


def test_nothing_edited_means_no_override_and_nothing_switched_off():
    answer = engine_regimes()
    assert answer.disabled == frozenset()
    assert answer.overrides == {}


def test_manage_py_regimes_load_runs_the_loader(capsys):
    call_command("regimes", "--load")
    out = capsys.readouterr().out
    assert "0 added" in out and "0 updated" in out


def test_a_file_the_engine_cannot_read_writes_no_row(tmp_path):
    from compliance.deadlines.regimes import RegimeDataError

    def break_it(data):
        data["version"] += 1
        data["regimes"][0]["stages"][0]["counting"] = "fortnights"

    before = NotificationRegime.history.count()
    with pytest.raises(RegimeDataError):
        regimes_load(path=_file_with(tmp_path, break_it))
    assert NotificationRegime.history.count() == before
