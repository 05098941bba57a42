"""Post-mortems and communication drafts over the API."""

import pytest

from bcp_portal.core import signing
from tests.compliance.factories import PASSWORD
from tests.incidents import factories as f
from tests.incidents.test_postmortem_pages import _rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [2, 30])
def test_the_list_reads_the_same_number_of_queries_for_2_and_30_rows(
    count, sre, client_for, django_assert_num_queries
):
    _rows(sre, count)
    client = client_for(sre)
    client.get("/api/v1/postmortems")
    with django_assert_num_queries(6):
        answer = client.get("/api/v1/postmortems")
    assert answer.status_code == 200
    assert len(answer.json()["results"]) == count


def test_an_sre_writes_a_post_mortem_with_lessons_and_actions_in_one_call(sre, client_for):
    incident = f.restored(sre)
    answer = client_for(sre).post(
        "/api/v1/postmortems",
        {
            "incident": incident.pk,
            "summary": "Failed over.",
            "lessons": [{"category": "process", "text": "Rehearse the failover."}],
            "actions": [{"title": "Automate failover", "owner": sre.pk, "due_date": "2026-12-31"}],
        },
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "draft" and body["incident_reference"] == incident.reference
    assert body["lessons"][0]["category"] == "process"
    assert body["actions"][0]["status"] == "proposed"


def test_a_post_mortem_of_an_unrestored_incident_is_a_400_naming_the_incident(sre, client_for):
    incident = f.declare(sre)
    answer = client_for(sre).post(
        "/api/v1/postmortems", {"incident": incident.pk}, content_type="application/json"
    )
    assert answer.status_code == 400
    assert "incident" in answer.content.decode()


def test_a_bad_lesson_category_or_a_number_for_text_is_a_400_naming_the_field(sre, client_for):
    postmortem = f.postmortem_draft(sre)
    client = client_for(sre)
    answer = client.patch(
        f"/api/v1/postmortems/{postmortem.pk}",
        {"lessons": [{"category": "luck", "text": "x"}]},
        content_type="application/json",
    )
    assert answer.status_code == 400 and "category" in answer.content.decode()
    answer = client.patch(
        f"/api/v1/postmortems/{postmortem.pk}", {"summary": 5}, content_type="application/json"
    )
    assert answer.status_code == 400 and "summary" in answer.content.decode()


def test_the_sre_lead_signs_over_the_api_only_with_password_and_code(sre, client_for):
    lead = f.lead_signer()
    postmortem = f.postmortem_complete(sre)
    client = client_for(lead)
    client_for(sre).post(f"/api/v1/postmortems/{postmortem.pk}/submit")
    postmortem.refresh_from_db()
    shown = signing.subject_hash(postmortem)
    url = f"/api/v1/postmortems/{postmortem.pk}/signoffs"
    without = client.post(
        url,
        {"decision": "approve", "shown_hash": shown, "password": PASSWORD},
        content_type="application/json",
    )
    assert without.status_code == 400
    signed = client.post(
        url,
        {"decision": "approve", "shown_hash": shown, "password": PASSWORD, "otp_code": f.LEAD_CODE},
        content_type="application/json",
    )
    assert signed.status_code == 201, signed.content
    published = client_for(sre).post(f"/api/v1/postmortems/{postmortem.pk}/publish")
    assert published.json()["status"] == "published"


def test_an_sre_may_not_sign_over_the_api(sre, client_for):
    postmortem = f.postmortem_complete(sre)
    client_for(sre).post(f"/api/v1/postmortems/{postmortem.pk}/submit")
    answer = client_for(sre).post(
        f"/api/v1/postmortems/{postmortem.pk}/signoffs",
        {"decision": "approve", "shown_hash": "0" * 64, "password": PASSWORD},
        content_type="application/json",
    )
    assert answer.status_code == 403


def test_a_communication_draft_is_made_edited_and_used_over_the_api(sre, client_for):
    incident = f.declare(sre)
    client = client_for(sre)
    made = client.post(
        "/api/v1/communication-drafts",
        {"incident": incident.pk, "kind": "customer_email"},
        content_type="application/json",
    )
    assert made.status_code == 201
    draft = made.json()
    edited = client.patch(
        f"/api/v1/communication-drafts/{draft['id']}",
        {"body": "Hello."},
        content_type="application/json",
    )
    assert edited.json()["body"] == "Hello."
    used = client.post(f"/api/v1/communication-drafts/{draft['id']}/used")
    assert used.json()["used_by"] == sre.pk
    again = client.patch(
        f"/api/v1/communication-drafts/{draft['id']}",
        {"body": "Later."},
        content_type="application/json",
    )
    assert again.status_code == 400
    listed = client.get("/api/v1/communication-drafts", {"incident": incident.pk}).json()
    assert [d["id"] for d in listed["results"]] == [draft["id"]]
    assert client.get("/api/v1/communication-drafts", {"incident": "x"}).status_code == 400
