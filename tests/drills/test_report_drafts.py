"""Drafts look like drafts; a drill still to come says so at "Start the report"; minutes
follow a step's start and end times."""

import datetime as dt

import pytest
from django.utils import timezone

from drills.forms import StepFormSet
from drills.services import reports as services
from drills.services.reports import ReportData, drill_report_save, drill_report_start
from tests.drills.report_factories import ReportDrillFactory
from tests.drills.test_report_pages import management, report_post
from tests.factories import ServiceFactory


@pytest.fixture
def future_drill(db):
    return ReportDrillFactory(starts_at=timezone.now() + dt.timedelta(days=5))


def test_the_start_page_warns_that_the_drill_has_not_happened(client_for, sre, future_drill):
    page = client_for(sre).get(f"/drills/{future_drill.pk}/report/").content.decode()
    assert 'data-testid="drill-ahead"' in page and "has not happened yet" in page


def test_the_start_page_of_a_past_drill_has_no_warning(client_for, sre):
    page = client_for(sre).get(f"/drills/{ReportDrillFactory().pk}/report/").content.decode()
    assert "Start the report" in page and "has not happened yet" not in page


def test_starting_the_report_of_a_future_drill_warns_again(client_for, sre, future_drill):
    response = client_for(sre).post(f"/drills/{future_drill.pk}/report/", follow=True)
    assert services.DRILL_NOT_RUN_YET in response.content.decode()


def test_the_drill_pages_report_button_says_the_drill_has_not_run(client_for, sre, future_drill):
    page = client_for(sre).get(future_drill.get_absolute_url()).content.decode()
    assert 'data-testid="file-report-ahead"' in page and "drill not run yet" in page
    past = client_for(sre).get(ReportDrillFactory().get_absolute_url()).content.decode()
    assert "File report" in past and "drill not run yet" not in past


@pytest.fixture
def passed_draft(sre):
    report = drill_report_start(actor=sre, drill=ReportDrillFactory())
    return drill_report_save(
        actor=sre,
        report=report,
        data=ReportData(fields={"overall_result": "pass", "summary": "Looks fine so far"}),
    )


def test_the_report_list_shows_a_draft_as_a_draft_without_a_pass_badge(
    client_for, sre, passed_draft
):
    page = client_for(sre).get("/drills/reports/").content.decode()
    assert 'data-testid="draft"' in page and "— (draft)" in page
    assert "badge-pass" not in page


def test_the_report_page_shows_a_drafts_result_as_not_final(client_for, sre, passed_draft):
    page = client_for(sre).get(passed_draft.get_absolute_url()).content.decode()
    assert 'data-testid="draft-result"' in page and "not final until submitted" in page
    assert "badge-pass" not in page.split("Overall assessment", 1)[1].split("Recovery steps")[0]


def steps_formset(**step) -> StepFormSet:
    data = {**management("steps", 1), **{f"steps-0-{k}": v for k, v in step.items()}}
    return StepFormSet(data, prefix="steps")


def test_blank_minutes_are_filled_from_the_start_and_end_times():
    formset = steps_formset(
        description="Restore", started_at="2026-11-03T10:00", ended_at="2026-11-03T10:47"
    )
    assert formset.is_valid()
    assert formset.rows()[0]["duration_minutes"] == 47


def test_minutes_typed_by_hand_are_kept():
    formset = steps_formset(
        description="Restore",
        started_at="2026-11-03T10:00",
        ended_at="2026-11-03T10:47",
        duration_minutes="30",
    )
    assert formset.is_valid()
    assert formset.rows()[0]["duration_minutes"] == 30


def test_a_page_saved_without_script_stores_the_minutes_of_the_times(client_for, sre):
    report = drill_report_start(actor=sre, drill=ReportDrillFactory())
    data = report_post(
        ServiceFactory(),
        steps=[
            {
                "description": "Fail over the database",
                "started_at": "2026-11-03T09:15",
                "ended_at": "2026-11-03T10:05",
                "result": "pass",
                "ORDER": "1",
            }
        ],
        extra={"save": "1"},
    )
    assert client_for(sre).post(f"/drills/reports/{report.pk}/edit/", data).status_code == 302
    assert report.steps.get().duration_minutes == 50
