"""A report-level problem at submission: each one next to its field, nothing typed lost.

Two buttons submit: "Submit report" on the edit page (saves what is typed, then submits) and
the submit URL (submits the saved draft). Either way a refusal answers 400 with the page,
never a server error, and the draft is kept whole.
"""

import datetime as dt

import pytest
from django.utils import timezone

from bcp_portal.actions.models import Action
from drills.models import DrillReport
from drills.services import reports as services
from drills.services.reports import drill_report_start
from tests.drills.report_factories import ReportDrillFactory
from tests.drills.test_report_pages import management
from tests.factories import ServiceFactory

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def report(sre):
    return drill_report_start(actor=sre, drill=ReportDrillFactory())


def typed(service, sre, **overrides) -> dict:
    """A complete report as the page posts it, with a step, an issue and an action."""
    data = {
        "drill_date": f"{YESTERDAY:%Y-%m-%d}",
        "scenario": "Primary database lost.",
        "services": [service.pk],
        "planned_duration_minutes": "120",
        "actual_duration_minutes": "95",
        "rto_actual_minutes": "80",
        "rpo_actual_minutes": "20",
        "overall_result": "pass",
        "summary": "Within target.",
        **management("steps", 1),
        "steps-0-description": "Restore the nightly backup",
        "steps-0-duration_minutes": "40",
        "steps-0-result": "pass",
        "steps-0-ORDER": "1",
        **management("issues", 1),
        "issues-0-description": "The runbook link was stale",
        "issues-0-severity": "low",
        **management("actions", 1),
        "actions-0-title": "Fix the runbook link",
        "actions-0-owner": str(sre.pk),
        "actions-0-due_date": f"{timezone.localdate() + dt.timedelta(days=20):%Y-%m-%d}",
        "actions-0-priority": "low",
        "submit": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def next_to(page: str, anchor: str, message: str) -> bool:
    """`message` is shown right after `anchor` (a field's input), before any other field."""
    start = page.index(anchor)
    found = page.find(message, start)
    following = page.find('class="mb-3', start)
    return found != -1 and (following == -1 or found < following)


CASES = {
    "no overall assessment": (
        {"overall_result": ""},
        'id="id_overall_result"',
        "Choose PASS or FAIL for the overall assessment.",
    ),
    "no summary": ({"summary": ""}, 'id="id_summary"', "Summarise the assessment."),
    "no service": (
        {"services": None},
        "Services exercised and recovery objectives",
        "Choose at least one service exercised",
    ),
    "a missing metric": (
        {"rto_actual_minutes": ""},
        'id="id_rto_actual_minutes"',
        "Give the recovery time achieved, in minutes.",
    ),
    "a drill in the future": (
        {"drill_date": f"{timezone.localdate() + dt.timedelta(days=3):%Y-%m-%d}"},
        'id="id_drill_date"',
        services.DRILL_DATE_AHEAD,
    ),
}


def check_page(response, anchor: str, message: str) -> str:
    page = response.content.decode()
    assert response.status_code == 400
    assert next_to(page, anchor, message), message
    for kept in (
        "Restore the nightly backup",
        "The runbook link was stale",
        "Fix the runbook link",
    ):
        assert kept in page
    return page


def check_saved_whole(report: DrillReport) -> None:
    report.refresh_from_db()
    assert report.status == DrillReport.Status.DRAFT
    assert [s.description for s in report.steps.all()] == ["Restore the nightly backup"]
    assert [i.description for i in report.issues.all()] == ["The runbook link was stale"]
    [action] = report.actions.all()
    assert (action.title, action.status) == ("Fix the runbook link", Action.Status.PROPOSED)


def save_and_submit(client, report, service, sre, case: str):
    overrides, anchor, message = CASES[case]
    response = client.post(f"/drills/reports/{report.pk}/edit/", typed(service, sre, **overrides))
    check_page(response, anchor, message)
    check_saved_whole(report)


def submit_saved(client, report, service, sre, case: str):
    overrides, anchor, message = CASES[case]
    saving = typed(service, sre, **overrides, submit=None, save="1")
    assert client.post(f"/drills/reports/{report.pk}/edit/", saving).status_code == 302
    response = client.post(f"/drills/reports/{report.pk}/submit/")
    check_page(response, anchor, message)
    check_saved_whole(report)


@pytest.mark.parametrize(
    "submit", [save_and_submit, submit_saved], ids=["save-and-submit", "submit"]
)
def test_no_overall_assessment_is_shown_next_to_its_field(client_for, sre, report, submit):
    submit(client_for(sre), report, ServiceFactory(), sre, "no overall assessment")


@pytest.mark.parametrize(
    "submit", [save_and_submit, submit_saved], ids=["save-and-submit", "submit"]
)
def test_no_summary_is_shown_next_to_its_field(client_for, sre, report, submit):
    submit(client_for(sre), report, ServiceFactory(), sre, "no summary")


@pytest.mark.parametrize(
    "submit", [save_and_submit, submit_saved], ids=["save-and-submit", "submit"]
)
def test_no_service_is_shown_above_the_services(client_for, sre, report, submit):
    submit(client_for(sre), report, ServiceFactory(), sre, "no service")


@pytest.mark.parametrize(
    "submit", [save_and_submit, submit_saved], ids=["save-and-submit", "submit"]
)
def test_a_missing_metric_is_shown_next_to_its_field(client_for, sre, report, submit):
    submit(client_for(sre), report, ServiceFactory(), sre, "a missing metric")


@pytest.mark.parametrize(
    "submit", [save_and_submit, submit_saved], ids=["save-and-submit", "submit"]
)
def test_a_drill_date_in_the_future_is_shown_next_to_its_field(client_for, sre, report, submit):
    submit(client_for(sre), report, ServiceFactory(), sre, "a drill in the future")


def test_a_field_with_a_problem_at_submission_is_marked_invalid(client_for, sre, report):
    response = client_for(sre).post(
        f"/drills/reports/{report.pk}/edit/", typed(ServiceFactory(), sre, summary="")
    )
    page = response.content.decode()
    textarea = page[page.rindex("<textarea", 0, page.index('id="id_summary"')) :]
    assert "is-invalid" in textarea[: textarea.index(">")]
