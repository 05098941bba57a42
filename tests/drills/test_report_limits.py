"""Rows per report section are limited (issue #8, item 7): a report with 10,000 steps was
accepted and its PDF rendered inside the request for 52 s using 1.3 GB. Forms, the API and
the service each refuse more rows than `bcp_portal.core.limits` allows, saying the limit;
a report too long to render while the reader waits goes through the background export."""

import pytest
from django.core.exceptions import ValidationError
from drf_spectacular.generators import SchemaGenerator

from bcp_portal.core import limits
from bcp_portal.core.models import TaskProgress
from drills.forms import DrillReportForm
from drills.models import DrillReport, RecoveryStep
from drills.services.planning import drill_update
from drills.services.reports import ReportData, drill_report_save, drill_report_start
from tests.drills.report_factories import (
    RecoveryStepFactory,
    ReportDrillFactory,
    ReportDrillTypeFactory,
)
from tests.drills.test_report_api import ci_result
from tests.drills.test_report_pages import report_post
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

STEP = {"description": "Restore", "duration_minutes": 1, "result": "pass"}


@pytest.fixture
def report(sre):
    return drill_report_start(actor=sre, drill=ReportDrillFactory())


@pytest.mark.parametrize("steps", [limits.REPORT_STEPS_MAX + 1, 10_000])
def test_the_api_refuses_a_report_with_more_steps_than_the_limit_naming_it(client_for, sre, steps):
    ReportDrillTypeFactory()
    body = ci_result(ServiceFactory(), sre, steps=[STEP] * steps)
    response = client_for(sre).post("/api/v1/drill-reports", body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"]["steps"] == [
        f"At most {limits.REPORT_STEPS_MAX} rows here (this list has {steps})."
    ]
    assert not DrillReport.objects.exists()


def test_the_api_takes_a_report_at_the_limit(client_for, sre):
    ReportDrillTypeFactory()
    body = ci_result(ServiceFactory(), sre, steps=[STEP] * limits.REPORT_STEPS_MAX)
    response = client_for(sre).post("/api/v1/drill-reports", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert RecoveryStep.objects.count() == limits.REPORT_STEPS_MAX


def test_the_report_form_refuses_more_steps_than_the_limit(client_for, sre, report):
    data = report_post(ServiceFactory(), steps=[STEP] * (limits.REPORT_STEPS_MAX + 1))
    response = client_for(sre).post(f"/drills/reports/{report.pk}/edit/", data)
    assert response.status_code == 400
    assert f"Please submit at most {limits.REPORT_STEPS_MAX} forms." in response.content.decode()
    assert not report.steps.exists()


def test_the_service_refuses_more_rows_than_the_limits_whoever_calls_it(sre, report):
    too_many = limits.REPORT_ISSUES_MAX + 1
    data = ReportData(issues=[{"description": "x", "severity": "low"}] * too_many)
    with pytest.raises(ValidationError) as refused:
        drill_report_save(actor=sre, report=report, data=data)
    assert refused.value.message_dict == {
        "issues": [
            f"At most {limits.REPORT_ISSUES_MAX} issues per report (this one has {too_many})."
        ]
    }


def test_a_drill_takes_at_most_the_participant_limit(srelead):
    drill = ReportDrillFactory()
    with pytest.raises(ValidationError) as refused:
        drill_update(
            actor=srelead, drill=drill, participants=[srelead] * (limits.DRILL_PARTICIPANTS_MAX + 1)
        )
    assert "participants" in refused.value.message_dict


def test_the_limits_are_stated_in_the_form_and_the_api_schema(report):
    form = DrillReportForm(instance=report)
    assert f"At most {limits.REPORT_PARTICIPANTS_MAX}." in form.fields["participants"].help_text
    schema = SchemaGenerator().get_schema(request=None, public=True)
    fields = schema["components"]["schemas"]["DrillReportRequest"]["properties"]
    for name, limit in limits.report_section_limits().items():
        assert fields[name]["maxItems"] == limit
        assert f"At most {limit}." in fields[name]["description"]


def test_a_short_report_pdf_is_rendered_directly(client_for, sre, report):
    RecoveryStepFactory(report=report)
    response = client_for(sre).get(f"/drills/reports/{report.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_a_long_report_pdf_goes_through_the_background_export(
    client_for, sre, report, django_capture_on_commit_callbacks
):
    for _ in range(limits.REPORT_PDF_DIRECT_MAX_ROWS + 1):
        RecoveryStepFactory(report=report)
    client = client_for(sre)
    offer = client.get(f"/drills/reports/{report.pk}/pdf/")
    assert offer.status_code == 200 and offer["Content-Type"].startswith("text/html")
    assert "Prepare the PDF" in offer.content.decode()
    assert not TaskProgress.objects.exists()  # a GET starts nothing

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/drills/reports/{report.pk}/pdf/")
    progress = TaskProgress.objects.get()
    assert started.status_code == 302 and started["Location"] == progress.get_absolute_url()
    progress.refresh_from_db()  # tasks run eagerly in the suite
    assert progress.status == TaskProgress.Status.DONE
    assert progress.result_name == f"{report.document_id}-rev{report.revision}.pdf"


def test_a_long_text_also_sends_the_pdf_to_the_background(client_for, sre, report):
    RecoveryStepFactory(report=report, notes="x" * (limits.REPORT_PDF_DIRECT_MAX_CHARS + 1))
    offer = client_for(sre).get(f"/drills/reports/{report.pk}/pdf/")
    assert "Prepare the PDF" in offer.content.decode()
