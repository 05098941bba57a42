"""Jurisdiction codes and regime keys are checked against what exists, not only their shape:
ISO 3166-1 countries and US subdivisions from the project's data file, and the regimes'
keys that compliance registers with the catalogue."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from bcp_portal.catalogue import regulatory, services
from bcp_portal.catalogue.models import CompetentAuthority, LegalEntity
from bcp_portal.core import roles
from compliance.deadlines.io import CaseInputError, case_from_json
from tests.factories import UserFactory


@pytest.fixture
def legal(db):
    return UserFactory(username="k-legal", roles=[roles.LEGAL_COUNSEL])


@pytest.mark.parametrize("code", ["FR", "GB", "US", "GR", "IS", "SG", "US-CA", "US-DC", "US-PR"])
def test_a_country_or_a_us_subdivision_is_a_known_jurisdiction(code):
    assert regulatory.is_jurisdiction_code(code)


@pytest.mark.parametrize("code", ["ZZ", "XX", "UK", "EU", "US-ZZ", "FR-75", "DE-BY", "fr", ""])
def test_an_unassigned_code_or_a_subdivision_outside_the_us_is_not(code):
    assert not regulatory.is_jurisdiction_code(code)


def test_the_data_file_has_every_iso_country_and_every_us_state_and_names_its_sources():
    data = json.loads(regulatory.ISO3166_FILE.read_text(encoding="utf-8"))
    assert len(data["countries"]) == 249
    assert len(data["subdivisions"]) == 57  # 50 states, DC, 6 outlying areas
    assert all(code.startswith("US-") for code in data["subdivisions"])
    cites = " ".join(s["cite"] for s in data["sources"])
    assert "ISO 3166-1" in cites and "Census" in cites


def test_an_entity_in_unknown_jurisdictions_is_refused_naming_them(legal):
    with pytest.raises(ValidationError) as exc:
        services.legal_entity_create(
            actor=legal, name="Acme SAS", jurisdictions=["FR", "ZZ", "XX", "US-ZZ"]
        )
    message = " ".join(exc.value.message_dict["jurisdictions"])
    assert "code: ZZ, XX, US-ZZ." in message  # the unknown ones, and only them
    assert not LegalEntity.objects.exists()


def test_an_authority_in_an_unknown_jurisdiction_is_refused(legal):
    with pytest.raises(ValidationError) as exc:
        services.competent_authority_create(actor=legal, name="Nowhere DPA", jurisdiction="ZZ")
    assert "ZZ" in " ".join(exc.value.message_dict["jurisdiction"])


def test_the_planner_input_refuses_an_unknown_jurisdiction_and_region():
    with pytest.raises(CaseInputError) as refused:
        case_from_json(
            {
                "entities": [{"name": "Acme", "jurisdictions": ["ZZ"]}],
                "persons_affected": {"XX": 3},
                "facts": {"detection": "2026-03-02T09:00:00+00:00"},
            }
        )
    errors = refused.value.errors
    assert any(key.startswith("entities.0.jurisdictions") for key in errors), errors
    assert "persons_affected.XX" in errors


def test_an_authority_naming_an_unknown_regime_is_refused_naming_it(legal):
    with pytest.raises(ValidationError) as exc:
        services.competent_authority_create(
            actor=legal,
            name="CNIL",
            jurisdiction="FR",
            regimes=["eu_gdpr_art33_art34", "nope", "also_nope"],
        )
    message = " ".join(exc.value.message_dict["regimes"])
    assert "No such regime: nope, also_nope (" in message  # the unknown ones, and only them
    assert not CompetentAuthority.objects.exists()


def test_an_unknown_regime_on_the_authority_page_is_a_form_error(client_for, legal):
    answer = client_for(legal).post(
        "/organisation/authorities/new/",
        {"name": "CNIL", "jurisdiction": "FR", "regimes": "nope", "is_active": "on"},
    )
    assert answer.status_code == 200
    assert "No such regime: nope" in answer.content.decode()
    assert not CompetentAuthority.objects.exists()


def test_compliance_registers_its_regimes_keys_with_the_catalogue(legal):
    assert regulatory.unknown_regime_keys(["eu_gdpr_art33_art34", "uk_gdpr_ico"]) == []
    assert regulatory.unknown_regime_keys(["nope"]) == ["nope"]


def test_with_no_regime_registered_every_well_formed_key_is_accepted(legal, monkeypatch):
    monkeypatch.setattr(regulatory, "_regime_keys", None)
    assert regulatory.unknown_regime_keys(["nope"]) == []
    authority = services.competent_authority_create(
        actor=legal, name="CNIL", jurisdiction="FR", regimes=["nope"]
    )
    assert authority.regimes == ["nope"]
