"""`POST /api/v1/deadlines/evaluate` (DPO, Legal Counsel) and the read-only regimes."""

from __future__ import annotations

import pytest

from bcp_portal.core import roles
from compliance.models_notifications import NotificationRegime
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
EVALUATE = "/api/v1/deadlines/evaluate"

FACTS = {
    "entities": [
        {
            "name": "Acme SAS",
            "jurisdictions": ["FR"],
            "statuses": ["gdpr_controller"],
            "time_zone": "Europe/Paris",
        }
    ],
    "regimes": ["eu_gdpr_art33_art34"],
    "personal_data": True,
    "gdpr_risk": "high_risk",
    "facts": {"controller_awareness": "2026-10-23T18:30:00+02:00"},
}


@pytest.fixture
def dpo(db):
    return UserFactory(username="api-dpo", roles=[roles.DPO])


def test_the_dpo_gets_the_obligations_as_a_json_list(client_for, dpo):
    response = client_for(dpo).post(EVALUATE, FACTS, content_type="application/json")
    assert response.status_code == 200
    by_stage = {o["stage"]: o for o in response.json()}
    # 16:30 UTC + 72 h over the autumn change: 16:30 UTC, 17:30 in Paris (not 18:30).
    assert by_stage["supervisory_authority"]["due_utc"] == "2026-10-26T16:30:00Z"
    assert by_stage["supervisory_authority"]["due_local"] == "2026-10-26T17:30:00+01:00"
    assert by_stage["data_subjects"]["required"] is True
    assert by_stage["data_subjects"]["due_utc"] is None


def test_a_bad_field_answers_400_naming_its_path(client_for, dpo):
    body = {**FACTS, "facts": {"controller_awareness": "yesterday"}, "gdpr_risk": "huge"}
    response = client_for(dpo).post(EVALUATE, body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"facts.controller_awareness", "gdpr_risk"}


def test_a_body_that_is_not_an_object_answers_400(client_for, dpo):
    response = client_for(dpo).post(EVALUATE, [1, 2], content_type="application/json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["error"]["fields"]


@pytest.mark.parametrize("role", [roles.SRE, roles.AUDITOR])
def test_other_roles_may_not_evaluate(client_for, role):
    client = client_for(UserFactory(roles=[role]))
    assert client.post(EVALUATE, FACTS, content_type="application/json").status_code == 403


def test_every_role_reads_the_regimes_with_their_stages(client_for):
    client = client_for(UserFactory(roles=[roles.AUDITOR]))
    listing = client.get("/api/v1/regimes", {"page_size": 100})
    assert listing.status_code == 200
    keys = [r["key"] for r in listing.json()["results"]]
    assert "eu_gdpr_art33_art34" in keys and keys == sorted(keys)
    detail = client.get("/api/v1/regimes/eu_dora_major_ict_incident").json()
    assert detail["enabled"] is True
    assert detail["parameters"] is None
    initial = detail["stages"][0]
    assert (initial["key"], initial["counting"], initial["period"]) == (
        "initial_notification",
        "elapsed_hours",
        4,
    )


def test_an_internal_rule_shows_its_parameters_in_force(client_for):
    client = client_for(UserFactory(roles=[roles.DPO]))
    seed = client.get("/api/v1/regimes/seed_personal_data_breach").json()
    assert seed["is_internal"] is True
    assert seed["verified"] is False
    assert seed["parameters"]["deadline_hours"] == 72


def test_someone_without_a_role_reads_no_regime(client_for):
    assert client_for(UserFactory()).get("/api/v1/regimes").status_code == 403


def test_a_regime_switched_off_and_named_is_refused_not_answered_empty(client_for, dpo):
    regime = NotificationRegime.objects.get(key="eu_gdpr_art33_art34")
    regime.enabled = False
    regime.save()
    body = {**FACTS, "regimes": ["eu_gdpr_art33_art34"]}
    response = client_for(dpo).post(EVALUATE, body, content_type="application/json")
    assert response.status_code == 400
    [message] = response.json()["error"]["fields"]["regimes"]
    assert "Switched off by an administrator" in message


@pytest.mark.parametrize(
    "extra, field",
    [
        (
            {"submissions": {"eu_dora_major_ict_incident/nope": "2026-01-01T00:00:00Z"}},
            "submissions.eu_dora_major_ict_incident/nope",
        ),
        ({"incident_type": "nope"}, "incident_type"),
    ],
)
def test_an_unknown_stage_or_incident_type_is_named_not_ignored(client_for, dpo, extra, field):
    response = client_for(dpo).post(EVALUATE, {**FACTS, **extra}, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_an_incident_type_of_the_portal_or_of_a_seed_rule_is_accepted(client_for, dpo):
    for kind in ("security-incident", "payment_data_breach"):
        body = {**FACTS, "incident_type": kind}
        response = client_for(dpo).post(EVALUATE, body, content_type="application/json")
        assert response.status_code == 200, response.json()
