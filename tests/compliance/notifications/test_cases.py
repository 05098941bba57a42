"""A stored incident as the engine reads it, and the GDPR Art. 33(3) draft."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from bcp_portal.catalogue.models import LegalEntity
from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.contacts.models import Contact
from compliance import notifications
from compliance.deadlines import types
from compliance.models_notifications import IncidentFact
from compliance.notification_cases import case_for_incident
from compliance.notification_drafts import gdpr_art33_draft
from incidents.services.lifecycle import incident_set_status, timeline_add
from tests.compliance.notifications.helpers import DETECTED, incident, person
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def entity(name: str, **fields) -> LegalEntity:
    return LegalEntity.objects.create(profile=organisation_profile(), name=name, **fields)


def test_the_case_carries_the_incident_its_entities_and_its_facts(engine):
    entity(
        "Acme SAS",
        jurisdictions=["FR"],
        statuses=["gdpr_controller", "dora_financial_entity"],
        holiday_calendars=["FR"],
        time_zone="Europe/Paris",
    )
    entity("Old Ltd", is_active=False)
    inc = incident(
        severity="P1",
        involves_personal_data=True,
        affected_users=1500,
        started_at=DETECTED - dt.timedelta(minutes=30),
        services=[ServiceFactory()],
    )
    dpo = person("DPO")
    notifications.fact_record(
        actor=dpo,
        incident=inc,
        kind=types.CONTROLLER_AWARENESS,
        occurred_at=DETECTED + dt.timedelta(hours=2),
        time_zone="Europe/Paris",
        reason="Told.",
    )
    notifications.fact_record(
        actor=dpo, incident=inc, kind=IncidentFact.GDPR_RISK, value=types.RISK, reason="x"
    )
    case = case_for_incident(inc)
    assert case.reference == inc.reference
    assert [e.name for e in case.entities] == ["Acme SAS"]
    assert case.entities[0].statuses == frozenset({"gdpr_controller", "dora_financial_entity"})
    assert case.entities[0].holiday_calendars == ("FR",)
    assert case.severity == "P1" and case.involves_personal_data and case.affected_users == 1500
    assert case.incident_type == "database-outage"
    assert case.dated[types.DETECTION] == DETECTED
    aware = case.dated[types.CONTROLLER_AWARENESS]
    assert aware == DETECTED + dt.timedelta(hours=2)
    assert aware.tzinfo == zoneinfo.ZoneInfo("Europe/Paris")  # the zone it was stated in
    assert case.gdpr_risk == types.RISK
    assert case.outage_started_at == DETECTED - dt.timedelta(minutes=30)
    assert case.outage_ongoing and case.outage_minutes > 30  # not restored yet: so far


def test_a_restored_incident_has_an_outage_of_known_length(engine):
    inc = incident(started_at=DETECTED - dt.timedelta(minutes=10), services=[ServiceFactory()])
    inc = incident_set_status(
        actor=person("SRE Lead", "n-lead"),
        incident=inc,
        status="restored",
        at=DETECTED + dt.timedelta(hours=4, minutes=50),
    )
    case = case_for_incident(inc)
    assert (case.outage_minutes, case.outage_ongoing) == (5 * 60, False)


def test_the_case_is_read_in_a_fixed_number_of_queries(engine, django_assert_num_queries):
    inc = incident()
    for name in ("A", "B", "C"):
        entity(name)
    with django_assert_num_queries(5):  # incident+type, profile, entities, facts, submissions
        case_for_incident(type(inc)(pk=inc.pk))


def test_a_change_of_a_legal_entity_evaluates_the_open_incidents(
    engine, django_capture_on_commit_callbacks
):
    incident()
    with django_capture_on_commit_callbacks(execute=True):
        entity("Acme SAS", statuses=["gdpr_controller"])
    assert engine.cases and engine.cases[-1].entities[0].name == "Acme SAS"


def test_the_art33_draft_gives_each_point_from_the_incident_and_its_facts(engine):
    lead = person("SRE Lead", "n-lead")
    dpo = person("DPO")
    dpo.first_name, dpo.last_name, dpo.email = "Dana", "Privacy", "dpo@example.com"
    dpo.save()
    Contact.objects.create(name="Outside DPO", role_title="Data Protection Officer")
    inc = incident(
        involves_personal_data=True,
        description="Customer records copied from a misconfigured bucket.",
    )
    timeline_add(
        actor=lead,
        incident=inc,
        at=DETECTED + dt.timedelta(hours=1),
        event="Bucket made private",
        action_taken="Public access blocked; keys rotated.",
    )
    for region, count in (("FR", 1200), ("DE", 300)):
        notifications.fact_record(
            actor=dpo,
            incident=inc,
            kind=IncidentFact.PERSONS_AFFECTED,
            region=region,
            count=count,
            reason="From the access logs.",
        )
    notifications.fact_record(
        actor=dpo, incident=inc, kind=IncidentFact.GDPR_RISK, value=types.RISK_HIGH, reason="x"
    )
    draft = gdpr_art33_draft(incident=inc)
    for heading in ("(a) Nature", "(b) Contact point", "(c) Likely consequences", "(d) Measures"):
        assert heading in draft
    assert "Customer records copied" in draft
    assert "1,500 (DE: 300, FR: 1,200)" in draft
    assert "Dana Privacy, dpo@example.com" in draft and "Outside DPO" in draft
    assert "likely to result in a high risk" in draft
    assert "Bucket made private: Public access blocked; keys rotated." in draft
    assert "[to complete:" in draft  # what the portal cannot know is marked
    assert "Art. 33(4)" in draft
