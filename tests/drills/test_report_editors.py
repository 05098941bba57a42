"""Issue #8, item 11: a drill report is changed by its author, the drill's participants and
the SRE Lead, not by any SRE (pages and API: edit, submit, revise)."""

import pytest
from django.core.exceptions import PermissionDenied
from knox.models import AuthToken

from bcp_portal.core import roles
from drills.models import DrillReport
from drills.services.reports import ReportData, drill_report_save
from tests.drills.report_factories import DrillReportFactory, RecoveryStepFactory
from tests.factories import ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_sre():
    return UserFactory(username="another-sre", roles=[roles.SRE])


@pytest.fixture
def participant():
    return UserFactory(username="participant-sre", roles=[roles.SRE])


@pytest.fixture
def draft(sre, participant):
    report = DrillReportFactory(
        created_by=sre,
        actual_duration_minutes=50,
        rto_actual_minutes=40,
        rpo_actual_minutes=30,
        overall_result="pass",
        summary="Restored from the last backup.",
    )
    report.services.add(ServiceFactory())
    RecoveryStepFactory(report=report)
    report.drill.participants.add(participant)
    return report


def empty_form() -> dict:
    body = {"drill_date": "2025-01-01", "scenario": "Changed by someone."}
    for prefix in ("steps", "issues", "actions"):
        body |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return body


def api(client, user):
    _, key = AuthToken.objects.create(user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    return client


def test_another_sre_cannot_open_save_or_submit_someone_elses_draft(client_for, draft, other_sre):
    client = client_for(other_sre)
    edit = f"/drills/reports/{draft.pk}/edit/"

    assert client.get(edit).status_code == 403
    assert client.post(edit, empty_form()).status_code == 403
    assert client.post(f"/drills/reports/{draft.pk}/submit/").status_code == 403
    draft.refresh_from_db()
    assert (draft.status, draft.scenario) == (DrillReport.Status.DRAFT, "Primary database lost.")


def test_another_sre_cannot_revise_someone_elses_submitted_report(client_for, sre, other_sre):
    report = DrillReportFactory(created_by=sre, status=DrillReport.Status.SUBMITTED)

    response = client_for(other_sre).post(
        f"/drills/reports/{report.pk}/revise/", {"reason": "Mine now."}
    )

    assert response.status_code == 403
    report.refresh_from_db()
    assert (report.status, report.revision) == (DrillReport.Status.SUBMITTED, 1)


def test_another_sre_is_refused_over_the_api_too(client, draft, sre, other_sre):
    client = api(client, other_sre)
    url = f"/api/v1/drill-reports/{draft.pk}"

    patch = client.patch(url, {"scenario": "Changed by someone."}, content_type="application/json")
    submit = client.post(f"{url}/submit")

    assert (patch.status_code, submit.status_code) == (403, 403)
    assert patch.json()["error"]["code"] == "permission_denied"
    draft.status = DrillReport.Status.SUBMITTED
    draft.save()
    assert (
        client.post(
            f"{url}/revise", {"reason": "Mine now."}, content_type="application/json"
        ).status_code
        == 403
    )


def test_the_service_refuses_another_sre(draft, other_sre):
    with pytest.raises(PermissionDenied):
        drill_report_save(actor=other_sre, report=draft, data=ReportData(fields={"summary": "x"}))


@pytest.mark.parametrize("who", ["author", "participant", "srelead"])
def test_the_author_a_participant_and_the_sre_lead_edit_and_submit(
    client_for, draft, sre, participant, srelead, who
):
    user = {"author": sre, "participant": participant, "srelead": srelead}[who]
    client = client_for(user)

    assert client.get(f"/drills/reports/{draft.pk}/edit/").status_code == 200
    response = client.post(f"/drills/reports/{draft.pk}/submit/")

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DrillReport.Status.SUBMITTED


def test_the_report_page_offers_editing_only_to_those_who_may(client_for, draft, other_sre, sre):
    assert "Continue editing" in client_for(sre).get(draft.get_absolute_url()).content.decode()
    page = client_for(other_sre).get(draft.get_absolute_url()).content.decode()
    assert "Continue editing" not in page
