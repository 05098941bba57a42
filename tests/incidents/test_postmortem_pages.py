"""Post-mortem pages: by role, bad input, double submits, the list's query count, the PDF."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from incidents.models import Incident
from incidents.models_postmortems import PostMortem
from incidents.services import postmortems
from tests.compliance.factories import PASSWORD
from tests.dashboard import dashboard_page
from tests.factories import UserFactory
from tests.incidents import factories as f

pytestmark = pytest.mark.django_db


def _url(incident_pk: int, action: str = "") -> str:
    return f"/incidents/{incident_pk}/postmortem/" + (f"{action}/" if action else "")


def _form(**fields) -> dict:
    body = {"title": "Primary database down"} | fields
    for prefix in ("lessons", "actions"):
        body.setdefault(f"{prefix}-TOTAL_FORMS", "0")
        body.setdefault(f"{prefix}-INITIAL_FORMS", "0")
    return body


def _token(page: str) -> str:
    return re.search(r'name="submission_token" value="([^"]+)"', page).group(1)


def test_the_write_button_starts_a_draft_of_a_restored_incident(sre, client_for):
    incident = f.restored(sre)
    client = client_for(sre)
    page = client.get(_url(incident.pk, "start"))
    assert page.status_code == 200
    answer = client.post(
        _url(incident.pk, "start"), {"title": "", "submission_token": _token(page.content.decode())}
    )
    assert answer.status_code == 302 and answer["Location"] == _url(incident.pk, "edit")
    assert PostMortem.objects.get(incident=incident).author == sre


def test_an_incident_still_being_fought_takes_no_post_mortem_and_the_page_says_why(sre, client_for):
    incident = f.declare(sre)
    page = client_for(sre).get(_url(incident.pk, "start"))
    assert page.status_code == 400
    assert "once service is restored" in page.content.decode()
    assert not PostMortem.objects.exists()


def test_starting_twice_with_the_same_page_makes_one_post_mortem(sre, client_for):
    incident = f.restored(sre)
    client = client_for(sre)
    token = _token(client.get(_url(incident.pk, "start")).content.decode())
    first = client.post(_url(incident.pk, "start"), {"title": "", "submission_token": token})
    second = client.post(_url(incident.pk, "start"), {"title": "", "submission_token": token})
    assert first.status_code == second.status_code == 302
    assert PostMortem.objects.filter(incident=incident).count() == 1


def test_the_editor_saves_sections_lessons_and_action_items(sre, client_for):
    postmortem = f.postmortem_draft(sre)
    body = _form(
        summary="Failed over.",
        **{
            "lessons-TOTAL_FORMS": "1",
            "lessons-0-category": "tooling",
            "lessons-0-text": "Script the failover.",
            "actions-TOTAL_FORMS": "1",
            "actions-0-title": "Add a disk alert",
            "actions-0-owner": str(sre.pk),
            "actions-0-due_date": "2026-12-20",
            "actions-0-priority": "high",
        },
    )
    answer = client_for(sre).post(_url(postmortem.incident_id, "edit"), body)
    assert answer.status_code == 302
    postmortem.refresh_from_db()
    assert postmortem.summary == "Failed over."
    assert postmortem.lessons.get().category == "tooling"
    action = postmortem.actions.get()
    assert (action.title, action.owner, action.status) == ("Add a disk alert", sre, "proposed")


def test_bad_input_keeps_what_was_typed_and_names_the_row(sre, client_for):
    postmortem = f.postmortem_draft(sre)
    body = _form(
        summary="Kept after the error",
        **{"lessons-TOTAL_FORMS": "1", "lessons-0-category": "luck", "lessons-0-text": "x"},
    )
    answer = client_for(sre).post(_url(postmortem.incident_id, "edit"), body)
    page = answer.content.decode()
    assert answer.status_code == 400
    assert (
        "Kept after the error" in page
        and "luck" in page
        and "not one of the available choices" in page
    )
    postmortem.refresh_from_db()
    assert postmortem.summary == ""


def test_a_title_with_a_line_break_or_too_long_text_is_a_form_error_not_a_500(sre, client_for):
    postmortem = f.postmortem_draft(sre)
    answer = client_for(sre).post(
        _url(postmortem.incident_id, "edit"), _form(title="a\nb", summary="x" * 20_001)
    )
    assert answer.status_code == 400


def test_another_sre_reads_but_cannot_edit_a_colleagues_draft(sre, client_for):
    postmortem = f.postmortem_draft(sre)
    other = UserFactory(roles=["SRE"])
    client = client_for(other)
    assert client.get(_url(postmortem.incident_id)).status_code == 200
    assert client.get(_url(postmortem.incident_id, "edit")).status_code == 403
    assert client.post(_url(postmortem.incident_id, "edit"), _form()).status_code == 403


def test_submitting_an_incomplete_draft_lists_what_is_missing(sre, client_for):
    postmortem = f.postmortem_draft(sre)
    answer = client_for(sre).post(_url(postmortem.incident_id, "submit"))
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "Summarise the incident." in page and "Record at least one lesson learned." in page


def test_the_sre_lead_approves_on_the_sign_page_with_password_and_code(sre, client_for):
    lead = f.lead_signer()
    postmortem = f.postmortem_complete(sre)
    postmortems.postmortem_submit(actor=sre, postmortem=postmortem)
    client = client_for(lead)
    page = client.get(_url(postmortem.incident_id, "sign")).content.decode()
    shown = re.search(r'name="shown_hash" value="([0-9a-f]{64})"', page).group(1)
    wrong = client.post(
        _url(postmortem.incident_id, "sign"),
        {"decision": "approve", "password": "wrong", "otp_code": f.LEAD_CODE, "shown_hash": shown},
    )
    assert wrong.status_code == 400
    answer = client.post(
        _url(postmortem.incident_id, "sign"),
        {"decision": "approve", "password": PASSWORD, "otp_code": f.LEAD_CODE, "shown_hash": shown},
    )
    assert answer.status_code == 302
    postmortem.refresh_from_db()
    assert postmortem.status == "approved"


def test_the_author_is_told_on_the_sign_page_that_someone_else_must_sign(client_for):
    lead = f.lead_signer()
    postmortem = f.postmortem_complete(lead)
    postmortems.postmortem_submit(actor=lead, postmortem=postmortem)
    page = client_for(lead).get(_url(postmortem.incident_id, "sign")).content.decode()
    assert "separation of duties" in page and 'data-testid="sign-form"' not in page


def test_a_revision_needs_a_reason_and_reopens_the_draft(sre, client_for):
    postmortem = f.postmortem_published(sre)
    client = client_for(sre)
    refused = client.post(_url(postmortem.incident_id, "revise"), {"reason": ""})
    assert refused.status_code == 400
    answer = client.post(_url(postmortem.incident_id, "revise"), {"reason": "New facts."})
    assert answer.status_code == 302
    postmortem.refresh_from_db()
    assert (postmortem.status, postmortem.revision) == ("draft", 2)


def test_the_pdf_has_the_sections_timeline_actions_lessons_and_the_signed_review(sre, client_for):
    lead = f.lead_signer("pdf-lead")
    lead.first_name, lead.last_name = "Lena", "Lead"
    lead.save()
    postmortem = f.postmortem_published(
        sre,
        lead=lead,
        actions=[
            {
                "title": "Alert on disk growth",
                "owner": sre,
                "due_date": timezone.localdate() + timedelta(days=9),
            }
        ],
    )
    answer = client_for(sre).get(_url(postmortem.incident_id, "pdf"))
    assert answer.status_code == 200
    text = "\n".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(b"".join(answer.streaming_content))).pages
    )
    for expected in (
        "Incident summary",
        "Timeline",
        "Incident declared",
        "Root cause analysis",
        "A full disk on the primary.",
        "Alert on disk growth",
        "Lessons learned",
        "Detection",
        "Review sign-off",
        "Lena Lead",
        "SRE Lead",
        "Approve",
    ):
        assert expected in text, expected
    from bcp_portal.core import signing

    digest = signing.valid_approvals(postmortem).get().content_sha256
    assert digest in text.replace("\n", "")


def _rows(author, count: int) -> None:
    other = f.incident_type("other")
    now = timezone.now()
    for n in range(count):
        incident = Incident.objects.create(
            reference=f"INC-T-{n:04d}",
            title=f"Outage {n}",
            incident_type=other,
            detected_at=now - timedelta(days=n + 1),
            restored_at=now - timedelta(days=n),
            status="restored",
        )
        PostMortem.objects.create(incident=incident, title=f"Outage {n}", author=author)


@pytest.mark.parametrize("count", [2, 30])
def test_the_list_reads_the_same_number_of_queries_for_2_and_30_rows(
    count, sre, client_for, django_assert_num_queries
):
    _rows(sre, count)
    client = client_for(sre)
    client.get("/incidents/postmortems/")  # warm the session and the user's roles
    with django_assert_num_queries(7):
        page = client.get("/incidents/postmortems/")
    assert page.status_code == 200
    assert page.content.decode().count("INC-T-") == min(count, 25)


def test_the_list_filters_by_status_and_search_and_names_a_bad_status(sre, client_for):
    _rows(sre, 3)
    client = client_for(sre)
    found = client.get("/incidents/postmortems/", {"q": "Outage 1"}).content.decode()
    assert "INC-T-0001" in found and "INC-T-0002" not in found
    bad = client.get("/incidents/postmortems/", {"status": "lost"})
    assert bad.status_code == 400 and "status" in bad.content.decode()
    assert client.get("/incidents/postmortems/", {"page": "99"}).status_code == 400


def test_the_dashboard_lists_serious_incidents_without_a_published_post_mortem(sre, client_for):
    from incidents.services.lifecycle import incident_set_severity

    p1 = f.restored(sre, title="Checkout down")
    incident_set_severity(actor=sre, incident=p1, severity="P1")
    f.restored(sre, title="Minor blip")  # P2: no post-mortem asked
    done = f.restored(sre, title="Payments down")
    incident_set_severity(actor=sre, incident=done, severity="P0")
    f.postmortem_published(sre, done)
    lead = f.lead_signer("panel-lead")
    waiting = f.postmortem_complete(sre, p1)
    postmortems.postmortem_submit(actor=sre, postmortem=waiting)
    page = dashboard_page(client_for(lead))
    panel = page[page.index("Post-mortems due") :]
    assert "Checkout down" in panel and "in review" in panel
    assert "Waiting for your review" in panel
    assert f"/incidents/{p1.pk}/postmortem/sign/" in panel
    assert "Minor blip" not in panel and "Payments down" not in panel


def test_every_post_mortem_page_leads_back_to_its_incident(sre, client_for):
    lead = f.lead_signer()
    postmortem = f.postmortem_complete(sre)
    incident = postmortem.incident
    link = f'href="/incidents/{incident.pk}/" data-testid="incident-link">{incident.reference}</a>'
    for client, action in [(sre, ""), (sre, "edit")]:
        page = client_for(client).get(_url(incident.pk, action))
        assert page.status_code == 200
        assert link in page.content.decode(), action
    postmortems.postmortem_submit(actor=sre, postmortem=postmortem)
    page = client_for(lead).get(_url(incident.pk, "sign"))
    assert page.status_code == 200 and link in page.content.decode()
    fresh = f.restored(sre)
    page = client_for(sre).get(_url(fresh.pk, "start"))
    assert page.status_code == 200
    assert f'href="/incidents/{fresh.pk}/" data-testid="incident-link">' in page.content.decode()
