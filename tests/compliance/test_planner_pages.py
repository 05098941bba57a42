"""The what-if planner page: DPO and Legal Counsel only; the answer on the same page, nothing
stored; a bad field is a form error (400) on that field with everything typed kept."""

from __future__ import annotations

import pytest

from bcp_portal.core import roles
from compliance.models_notifications import IncidentFact, NotificationRegime, Obligation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/compliance/planner/"

GDPR_FORM = {
    "entity_name": "Acme SAS",
    "jurisdictions": "FR",
    "statuses": ["gdpr_controller"],
    "holiday_calendars": "FR",
    "entity_time_zone": "Europe/Paris",
    "time_zone": "Europe/Paris",
    "personal_data": "on",
    "gdpr_risk": "risk",
    "regimes": ["eu_gdpr_art33_art34"],
    "fact_controller_awareness": "2026-03-27T18:30",
}


@pytest.fixture
def legal(db):
    return UserFactory(username="planner-legal", roles=[roles.LEGAL_COUNSEL])


def test_the_empty_form_is_shown_with_the_regimes_to_choose_from(client_for, legal):
    response = client_for(legal).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="planner-form"' in html
    assert 'value="eu_gdpr_art33_art34"' in html
    assert 'data-testid="obligations"' not in html


@pytest.mark.parametrize("role", [roles.SRE, roles.SRE_LEAD, roles.CTO, roles.AUDITOR])
def test_other_roles_are_refused(client_for, role):
    assert client_for(UserFactory(roles=[role])).get(URL).status_code == 403


def test_a_gdpr_breach_shows_the_supervisory_authority_deadline_and_stores_nothing(
    client_for, legal
):
    counts = (IncidentFact.objects.count(), Obligation.objects.count())
    response = client_for(legal).post(URL, GDPR_FORM)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-stage="supervisory_authority"' in html
    assert 'datetime="2026-03-30T17:30:00Z"' in html
    assert "2026-03-30T19:30:00+02:00" in html
    assert "elapsed_hours" in html
    # The facts as JSON, to run them again from the command or the API.
    assert "&quot;controller_awareness&quot;" in html
    assert (IncidentFact.objects.count(), Obligation.objects.count()) == counts


def test_the_same_facts_in_the_query_string_give_the_same_answer(client_for, legal):
    client = client_for(legal)
    posted = client.post(URL, GDPR_FORM).content.decode()
    got = client.get(URL, GDPR_FORM)
    assert got.status_code == 200
    assert 'datetime="2026-03-30T17:30:00Z"' in got.content.decode()
    assert 'datetime="2026-03-30T17:30:00Z"' in posted


def test_a_time_the_clocks_skip_is_an_error_on_that_fact_with_the_input_kept(client_for, legal):
    response = client_for(legal).post(
        URL, {**GDPR_FORM, "fact_controller_awareness": "2026-03-29T02:30"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "does not exist in Europe/Paris" in html
    assert 'value="2026-03-29T02:30"' in html
    assert 'value="Acme SAS"' in html
    assert 'data-testid="obligations"' not in html


def test_bad_codes_and_zones_are_errors_on_their_fields(client_for, legal):
    response = client_for(legal).post(
        URL,
        {
            **GDPR_FORM,
            "jurisdictions": "France",
            "entity_time_zone": "Paris",
            "fact_controller_awareness_tz": "Mars/Base",
            "persons_affected": "FR: 12",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {
        "jurisdictions",
        "entity_time_zone",
        "fact_controller_awareness_tz",
        "persons_affected",
    }


def test_an_existing_legal_entity_can_be_picked(client_for, legal):
    from bcp_portal.catalogue.models import LegalEntity
    from bcp_portal.catalogue.selectors import organisation_profile

    entity = LegalEntity.objects.create(
        profile=organisation_profile(),
        name="Acme Payments SAS",
        jurisdictions=["FR"],
        statuses=["gdpr_controller"],
        holiday_calendars=["FR"],
        time_zone="Europe/Paris",
    )
    form = {**GDPR_FORM, "legal_entity": entity.pk, "jurisdictions": "", "statuses": []}
    response = client_for(legal).post(URL, form)
    assert response.status_code == 200
    assert "Acme Payments SAS" in response.content.decode()
    assert 'datetime="2026-03-30T17:30:00Z"' in response.content.decode()


def test_a_regime_switched_off_is_not_offered(client_for, legal):
    regime = NotificationRegime.objects.get(key="us_circia")
    regime.enabled = False
    regime.save()
    html = client_for(legal).get(URL).content.decode()
    assert 'value="us_circia"' not in html
    assert 'value="eu_gdpr_art33_art34"' in html


def test_the_planner_is_in_the_navigation_of_the_dpo_and_legal_counsel_only(client_for, legal):
    assert 'href="/compliance/planner/"' in client_for(legal).get("/").content.decode()
    sre = UserFactory(roles=[roles.SRE])
    assert 'href="/compliance/planner/"' not in client_for(sre).get("/").content.decode()


@pytest.mark.parametrize("count", ["²", "9" * 5000, "-3", "twelve"])
def test_a_count_that_is_not_a_plain_number_is_an_error_on_persons_affected(
    client_for, legal, count
):
    response = client_for(legal).post(URL, {**GDPR_FORM, "persons_affected": f"FR={count}"})
    assert response.status_code == 400
    assert 'id="id_persons_affected"' in response.content.decode()
    assert "persons_affected" in response.context["form"].errors


def test_a_region_given_twice_is_an_error_not_an_overwrite(client_for, legal):
    response = client_for(legal).post(URL, {**GDPR_FORM, "persons_affected": "FR=5\nfr=6"})
    assert response.status_code == 400
    [message] = response.context["form"].errors["persons_affected"]
    assert "Line 2: fr is already given on line 1." in message


def test_an_unknown_stage_among_the_submissions_is_an_error_on_that_field(client_for, legal):
    response = client_for(legal).post(
        URL,
        {**GDPR_FORM, "submissions": "eu_gdpr_art33_art34/nope=2026-03-28T10:00 Europe/Paris"},
    )
    assert response.status_code == 400
    assert "Unknown stage" in " ".join(response.context["form"].errors["submissions"])


def test_the_outage_start_is_read_in_the_zone_given_and_ends_the_provisional_clock(
    client_for, legal
):
    form = {
        "entity_name": "Acme SAS",
        "jurisdictions": "FR",
        "time_zone": "UTC",
        "regimes": ["seed_service_outage_extended"],
        "affected_users": "5000",
        "outage_minutes": "300",
        "fact_detection": "2026-03-29T09:30",
    }
    provisional = client_for(legal).post(URL, form).content.decode()
    assert 'datetime="2026-03-30T13:30:00Z"' in provisional
    response = client_for(legal).post(URL, {**form, "outage_started_at": "2026-03-29T09:00"})
    assert response.status_code == 200
    assert 'datetime="2026-03-30T13:00:00Z"' in response.content.decode()
