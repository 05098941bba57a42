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
