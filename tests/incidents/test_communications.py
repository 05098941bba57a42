"""Communication drafts: filled from the templates with the incident's facts, edited, used."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from bcp_portal.catalogue.selectors import organisation_profile
from incidents.models import TimelineEntry
from incidents.services import communications
from tests.factories import ServiceFactory
from tests.incidents import factories as f

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 13, 0, tzinfo=dt.UTC)


@pytest.fixture
def paris():
    profile = organisation_profile()
    profile.time_zone = "Europe/Paris"
    profile.name = "Acme"
    profile.save()


@time_machine.travel(NOW, tick=False)
def test_a_status_page_draft_names_the_affected_functions_and_times_in_the_organisation_zone(
    sre, paris
):
    checkout = ServiceFactory(name="Checkout", provided_service="", description="Takes payments")
    incident = f.declare(sre, detected_at=NOW - dt.timedelta(minutes=20), services=[checkout])
    draft = communications.communication_draft_create(
        actor=sre, incident=incident, kind="status_page"
    )
    # Detected 12:40 UTC = 13:40 in Paris; next update now + 30 min = 14:30 Paris.
    assert "2026-11-20 13:40 CET" in draft.subject
    assert "- Checkout: Takes payments" in draft.body
    assert "Next update: 2026-11-20 14:30 CET" in draft.body
    # Primary database outage: its runbook RTO of 2 hours is stricter than the service's.
    assert "Estimated resolution: by 2026-11-20 15:40 CET" in draft.body
    assert "$" not in draft.body


@time_machine.travel(NOW, tick=False)
def test_a_customer_email_gives_start_and_end_of_a_restored_incident(sre, paris):
    incident = f.restored(sre)
    draft = communications.communication_draft_create(
        actor=sre, incident=incident, kind="customer_email"
    )
    assert draft.subject == "Service update from Acme"
    assert "between 2026-11-20 11:00 CET and 2026-11-20 12:30 CET" in draft.body


def test_a_draft_is_edited_then_marked_used_once_and_the_timeline_records_it(sre):
    incident = f.declare(sre)
    draft = communications.communication_draft_create(
        actor=sre, incident=incident, kind="status_page"
    )
    communications.communication_draft_update(
        actor=sre, draft=draft, subject="We are on it", body="Checkout is slow."
    )
    communications.communication_draft_mark_used(actor=sre, draft=draft)
    draft.refresh_from_db()
    assert (draft.subject, draft.used_by) == ("We are on it", sre)
    assert incident.timeline.filter(kind=TimelineEntry.Kind.COMMUNICATION).count() == 1
    with pytest.raises(ValidationError):
        communications.communication_draft_mark_used(actor=sre, draft=draft)
    with pytest.raises(ValidationError):
        communications.communication_draft_update(actor=sre, draft=draft, subject="x", body="y")
    assert draft.history.count() == 3


def test_an_auditor_reads_drafts_but_cannot_write_one(sre, auditor, client_for):
    incident = f.declare(sre)
    with pytest.raises(PermissionDenied):
        communications.communication_draft_create(
            actor=auditor, incident=incident, kind="status_page"
        )
    assert client_for(auditor).get(f"/incidents/{incident.pk}/communications/").status_code == 200
    answer = client_for(auditor).post(
        f"/incidents/{incident.pk}/communications/", {"kind": "status_page"}
    )
    assert answer.status_code == 403


def test_an_unknown_kind_is_a_form_error_not_a_500(sre, client_for):
    incident = f.declare(sre)
    answer = client_for(sre).post(f"/incidents/{incident.pk}/communications/", {"kind": "tweet"})
    assert answer.status_code == 400
    assert not incident.communication_drafts.exists()


def test_a_reader_opens_a_draft_from_the_list_and_reads_its_text_without_a_form(
    sre, auditor, client_for
):
    # The list links every draft; a reader used to get 403 there, never seeing the text.
    incident = f.declare(sre)
    draft = communications.communication_draft_create(
        actor=sre, incident=incident, kind="status_page"
    )
    communications.communication_draft_update(
        actor=sre, draft=draft, subject="We are on it", body="Checkout is slow."
    )
    listing = client_for(auditor).get(f"/incidents/{incident.pk}/communications/")
    url = f"/incidents/{incident.pk}/communications/{draft.pk}/"
    assert f'href="{url}"' in listing.content.decode()
    page = client_for(auditor).get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "We are on it" in html and "Checkout is slow." in html
    assert 'name="body"' not in html and "Mark as used" not in html
    assert f'href="/incidents/{incident.pk}/">{incident.reference}</a>' in html  # breadcrumb
    refused = client_for(auditor).post(url, {"subject": "Hacked", "body": "x"})
    assert refused.status_code == 403
    draft.refresh_from_db()
    assert draft.subject == "We are on it"
