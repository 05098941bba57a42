"""The organisation's legal entities and competent authorities: services, pages, history."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bcp_portal.catalogue import services
from bcp_portal.catalogue.models import CompetentAuthority, LegalEntity
from bcp_portal.core import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def legal():
    return UserFactory(username="c-legal", roles=[roles.LEGAL_COUNSEL])


def test_legal_counsel_adds_an_entity_with_codes_normalised(legal):
    entity = services.legal_entity_create(
        actor=legal,
        name="Acme SAS",
        jurisdictions=["fr", " FR", "us-ca"],
        statuses=["gdpr_controller", "dora_financial_entity"],
        holiday_calendars=["fr"],
        time_zone="Europe/Paris",
    )
    assert entity.jurisdictions == ["FR", "US-CA"]
    assert entity.holiday_calendars == ["FR"]
    assert entity.history.get().history_user == legal


@pytest.mark.parametrize(
    "field, value",
    [
        ("jurisdictions", ["France"]),
        ("statuses", ["galactic_empire"]),
        ("holiday_calendars", ["XX"]),
        ("holiday_calendars", ["DE-ZZ"]),
        ("time_zone", "Mars/Olympus"),
    ],
)
def test_a_bad_code_is_refused_on_its_field(legal, field, value):
    with pytest.raises(ValidationError) as exc:
        services.legal_entity_create(actor=legal, name="Acme SAS", **{field: value})
    assert field in exc.value.message_dict


@pytest.mark.parametrize("role", [roles.SRE, roles.SRE_LEAD, roles.CTO, roles.AUDITOR])
def test_only_the_dpo_and_legal_counsel_describe_entities_and_authorities(role):
    actor = UserFactory(roles=[role])
    with pytest.raises(PermissionDenied):
        services.legal_entity_create(actor=actor, name="Acme SAS")
    with pytest.raises(PermissionDenied):
        services.competent_authority_create(actor=actor, name="CNIL", jurisdiction="FR")


def test_changing_an_entity_keeps_its_history_and_saving_it_unchanged_writes_nothing(legal):
    entity = services.legal_entity_create(actor=legal, name="Acme SAS", jurisdictions=["FR"])
    services.legal_entity_update(actor=legal, entity=entity, jurisdictions=["FR", "DE"])
    services.legal_entity_update(actor=legal, entity=entity, jurisdictions=["FR", "DE"])
    assert [h.jurisdictions for h in entity.history.order_by("history_date")] == [
        ["FR"],
        ["FR", "DE"],
    ]


def test_an_authority_takes_regime_keys_and_its_jurisdiction_in_upper_case(legal):
    authority = services.competent_authority_create(
        actor=legal,
        name="CNIL",
        jurisdiction="fr",
        regimes=["eu_gdpr_art33_art34", "eu_gdpr_art33_art34"],
        email="notifications@cnil.example",
    )
    assert authority.jurisdiction == "FR" and authority.regimes == ["eu_gdpr_art33_art34"]
    with pytest.raises(ValidationError) as exc:
        services.competent_authority_update(
            actor=legal, authority=authority, regimes=["Not A Key!"]
        )
    assert "regimes" in exc.value.message_dict


def test_an_unknown_field_is_a_programming_error(legal):
    with pytest.raises(TypeError):
        services.legal_entity_create(actor=legal, name="Acme", profile=None)


# --- the pages --------------------------------------------------------------------------------


def test_the_organisation_page_lists_entities_and_authorities(client_for, legal):
    services.legal_entity_create(
        actor=legal, name="Acme SAS", jurisdictions=["FR"], statuses=["sec_registrant"]
    )
    services.competent_authority_create(actor=legal, name="CNIL", jurisdiction="FR")
    page = client_for(legal).get("/organisation/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Acme SAS" in text and "SEC registrant (Form 8-K filer)" in text and "CNIL" in text
    assert "/organisation/entities/new/" in text


def test_the_auditor_reads_the_organisation_page_without_add_or_edit_links(client_for, legal):
    services.legal_entity_create(actor=legal, name="Acme SAS")
    auditor = UserFactory(roles=[roles.AUDITOR])
    text = client_for(auditor).get("/organisation/").content.decode()
    assert "Acme SAS" in text and "/organisation/entities/new/" not in text
    assert "/edit/" not in text


def test_an_entity_added_on_its_page_with_codes_typed_by_commas(client_for, legal):
    client = client_for(legal)
    form = client.get("/organisation/entities/new/").content.decode()
    token = form.split('name="submission_token" value="')[1].split('"')[0]
    data = {
        "name": "Acme Inc.",
        "jurisdictions": "us-ny, US",
        "statuses": ["sec_registrant"],
        "holiday_calendars": "US",
        "time_zone": "America/New_York",
        "is_active": "on",
        "submission_token": token,
    }
    answer = client.post("/organisation/entities/new/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    entity = LegalEntity.objects.get()
    assert entity.jurisdictions == ["US-NY", "US"] and entity.statuses == ["sec_registrant"]
    again = client.get(f"/organisation/entities/{entity.pk}/edit/").content.decode()
    assert 'value="US-NY, US"' in again


def test_a_bad_calendar_on_the_page_is_shown_on_its_field_with_the_input_kept(client_for, legal):
    answer = client_for(legal).post(
        "/organisation/entities/new/",
        {"name": "Acme SAS", "holiday_calendars": "FR, XX", "time_zone": "UTC"},
    )
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "No holiday calendar is known for: XX" in text and 'value="FR, XX"' in text
    assert not LegalEntity.objects.exists()


def test_an_authority_edited_on_its_page(client_for, legal):
    authority = services.competent_authority_create(actor=legal, name="CNIL", jurisdiction="FR")
    answer = client_for(legal).post(
        f"/organisation/authorities/{authority.pk}/edit/",
        {
            "name": "CNIL",
            "jurisdiction": "FR",
            "regimes": "eu_gdpr_art33_art34, uk_gdpr_ico",
            "email": "notifications@cnil.example",
            "is_active": "on",
        },
    )
    assert answer.status_code == 302
    authority = CompetentAuthority.objects.get()
    assert authority.regimes == ["eu_gdpr_art33_art34", "uk_gdpr_ico"]
    assert authority.history.count() == 2
