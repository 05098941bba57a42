"""Issue #8, item 4: a submitted report does not change after locking.

New actions on a submitted report come only with a revision: the drill report's
`ActionSource.refuse_add` refuses them, whichever way they arrive (the API, a service call;
the report page refuses any change to a locked report, and the admin adds no actions), and
a revision takes them again, as proposals until it is submitted.
"""

import io

import pytest
from django.core.exceptions import ValidationError
from knox.models import AuthToken
from pypdf import PdfReader

from bcp_portal.actions import services as action_services
from bcp_portal.actions.models import Action
from drills.models import DrillReport
from drills.services.reports import drill_report_revise
from tests.drills.report_factories import DrillReportFactory

pytestmark = pytest.mark.django_db

ACTIONS_URL = "/api/v1/actions"


def submitted_report(author) -> DrillReport:
    return DrillReportFactory(created_by=author, status=DrillReport.Status.SUBMITTED)


def api_client(client, user):
    _, key = AuthToken.objects.create(user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    return client


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_api_refuses_an_action_on_a_submitted_report_naming_its_source_field(client, sre):
    report = submitted_report(sre)
    history_rows = report.history.count()

    response = api_client(client, sre).post(
        ACTIONS_URL,
        {"title": "Sneak it in", "drill_report": report.pk},
        content_type="application/json",
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "drill_report" in error["fields"]
    assert "revision" in error["fields"]["drill_report"][0]
    assert not Action.objects.filter(title="Sneak it in").exists()
    assert report.history.count() == history_rows


def test_the_locked_report_and_its_pdf_stay_as_submitted(client, client_for, sre):
    report = submitted_report(sre)
    api_client(client, sre).post(
        ACTIONS_URL,
        {"title": "Sneak it in", "drill_report": report.pk},
        content_type="application/json",
    )

    page = client_for(sre).get(report.get_absolute_url())
    pdf = client_for(sre).get(f"/drills/reports/{report.pk}/pdf/")

    assert "Sneak it in" not in page.content.decode()
    assert "Sneak it in" not in pdf_text(pdf)


def test_the_service_refuses_an_action_on_a_submitted_report(sre):
    report = submitted_report(sre)

    with pytest.raises(ValidationError) as refused:
        action_services.action_create(actor=sre, title="Sneak it in", source=report)

    assert "revision" in refused.value.message_dict["source"][0]
    assert not report.actions.exists()


def test_a_revision_takes_new_actions_as_proposals_until_it_is_submitted(client, sre):
    report = submitted_report(sre)
    drill_report_revise(actor=sre, report=report, reason="An action was forgotten.")

    response = api_client(client, sre).post(
        ACTIONS_URL,
        {"title": "Script the failover", "drill_report": report.pk},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert Action.objects.get(pk=response.json()["id"]).status == Action.Status.PROPOSED


def test_the_report_page_refuses_to_change_a_submitted_report(client_for, sre):
    report = submitted_report(sre)
    form = {"drill_date": "2025-01-01", "scenario": "Primary database lost."}
    for prefix in ("steps", "issues"):
        form |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    form |= {"actions-TOTAL_FORMS": "1", "actions-INITIAL_FORMS": "0"}
    form |= {"actions-0-title": "Sneak it in", "actions-0-priority": "medium"}

    response = client_for(sre).post(f"/drills/reports/{report.pk}/edit/", form, follow=True)

    assert "submitted and locked" in response.content.decode()
    assert not report.actions.exists()


def test_an_action_added_while_the_report_is_submitted_waits_for_the_lock_and_is_refused(sre):
    """`action_create` locks and re-reads its source: the decision is on the stored row,
    not on a copy read before a concurrent submission."""
    report = DrillReportFactory(created_by=sre)
    stale = DrillReport.objects.get(pk=report.pk)  # read while it was a draft
    report.status = DrillReport.Status.SUBMITTED
    report.save()

    with pytest.raises(ValidationError):
        action_services.action_create(actor=sre, title="Too late", source=stale)
    assert not Action.objects.filter(title="Too late").exists()
