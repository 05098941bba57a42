"""The drill programme summary (page, charts, PDF) and the drill report PDF's details."""

import base64
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from pypdf import PdfReader

from bcp_portal.core import charts
from drills.models import Drill, DrillIssue, DrillReport
from drills.report_selectors import planned_vs_done
from drills.services.reports import drill_report_start
from tests.actions.factories import ActionFactory, PersonFactory
from tests.drills.report_factories import DrillReportFactory, ReportDrillFactory

NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return "\n".join(page.extract_text() for page in reader.pages)


def svg_of(data_url: str) -> str:
    return base64.b64decode(data_url.split(",", 1)[1]).decode()


def report_for(result: str, *, days_ago: int = 3, title: str = "", **fields) -> DrillReport:
    drill = ReportDrillFactory(
        starts_at=NOW - timedelta(days=days_ago),
        status=Drill.Status.DONE,
        **({"title": title} if title else {}),
    )
    return DrillReportFactory(
        drill=drill,
        status=DrillReport.Status.SUBMITTED,
        overall_result=result,
        drill_date=TODAY - timedelta(days=days_ago),
        **fields,
    )


def test_each_pass_rate_bar_takes_the_colour_of_its_band_named_in_the_legend():
    svg = svg_of(charts.pass_rate_chart([("Failing", 1, 4), ("Shaky", 2, 3), ("Sound", 9, 10)]))

    assert charts.rate_colour(25) == charts.FAIL_COLOUR
    assert charts.rate_colour(67) == charts.WARN_COLOUR
    assert charts.rate_colour(90) == charts.PASS_COLOUR
    for colour in (charts.FAIL_COLOUR, charts.WARN_COLOUR, charts.PASS_COLOUR):
        assert f"fill: {colour}" in svg
    # The values and the legend are SVG text, not paths drawn from glyphs.
    for text in ("1/4 passed (25 %)", "2/3 passed (67 %)", "9/10 passed (90 %)"):
        assert f">{text}</text>" in svg
    for _, _, band in charts.RATE_BANDS:
        assert f">{band}</text>" in svg


def test_the_summary_pdf_has_the_chart_values_as_selectable_text(client_for, sre):
    report_for("pass")
    report_for("pass")
    report_for("fail")

    text = pdf_text(client_for(sre).get("/drills/summary.pdf"))

    assert "2/3 passed (67 %)" in text  # drawn by the chart, not the table
    assert "80 % or more" in text


def test_planned_versus_done_counts_drills_still_ahead_as_upcoming_not_as_not_done():
    report_for("pass", days_ago=5)
    ReportDrillFactory(starts_at=NOW - timedelta(days=6))  # date passed, no report
    ReportDrillFactory(starts_at=NOW + timedelta(days=30))  # later this quarter
    ReportDrillFactory(starts_at=NOW + timedelta(days=1), status=Drill.Status.CANCELLED)

    (quarter,) = planned_vs_done(today=TODAY, quarters=1)

    assert (quarter.label, quarter.due, quarter.done, quarter.upcoming) == ("2026 Q2", 2, 1, 1)


def test_the_summary_page_shows_planned_done_and_upcoming_per_quarter(client_for, sre):
    report_for("pass", days_ago=5)
    ReportDrillFactory(starts_at=NOW + timedelta(days=30))

    page = client_for(sre).get("/drills/summary/").content.decode()

    assert (
        '<td>2026 Q2</td><td class="text-end">1</td><td class="text-end">1</td>'
        '<td class="text-end">1</td>'
    ) in page
    assert "Upcoming" in page


def test_the_summary_pdf_lists_overdue_and_failed_drills_and_open_actions_of_submitted_reports(
    client_for, sre
):
    ReportDrillFactory(title="Overdue failover drill", starts_at=NOW - timedelta(days=4))
    ReportDrillFactory(title="Failover drill ahead", starts_at=NOW + timedelta(days=4))
    failed = report_for("fail", title="Storage drill that failed", days_ago=40)
    report_for("fail", title="Old failed drill", days_ago=400)
    owner = PersonFactory(first_name="Ana", last_name="Ortiz")
    ActionFactory(title="Automate the failover", owner=owner, drill_report=failed)
    ActionFactory(title="Finished action", drill_report=failed, status="done")
    draft = DrillReportFactory(drill=ReportDrillFactory(starts_at=NOW - timedelta(days=1)))
    ActionFactory(title="Proposal in a draft", drill_report=draft)

    text = pdf_text(client_for(sre).get("/drills/summary.pdf"))

    assert "Overdue failover drill" in text
    assert "Failover drill ahead" not in text
    assert "Storage drill that failed" in text and failed.document_id in text
    assert "Old failed drill" not in text
    assert "Automate the failover" in text and "Ana Ortiz" in text
    assert "Finished action" not in text and "Proposal in a draft" not in text


def test_the_report_pdf_shows_when_the_drill_started_in_the_readers_zone(client_for, sre):
    sre.profile.time_zone = "Europe/Paris"
    sre.profile.save()
    drill = ReportDrillFactory(starts_at=datetime(2026, 5, 14, 8, 30, tzinfo=UTC))
    report = drill_report_start(actor=sre, drill=drill)

    text = pdf_text(client_for(sre).get(f"/drills/reports/{report.pk}/pdf/"))

    assert "2026-05-14 10:30 Europe/Paris" in text


def test_the_report_pdf_says_submitted_by_and_not_approved_by(client_for, sre):
    sre.first_name, sre.last_name = "Sam", "Reyes"
    sre.save()
    report = report_for("pass", submitted_by=sre)

    text = pdf_text(client_for(sre).get(f"/drills/reports/{report.pk}/pdf/"))

    assert "Submitted by Sam Reyes" in text
    assert "Approved by" not in text


def _pages(response) -> list[str]:
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return [page.extract_text() for page in reader.pages]


ASSESSMENT = " ".join(
    f"Finding {n}: the standby took over, the runbook step was followed and checked."
    for n in range(1, 9)
)


def test_the_overall_assessment_stays_whole_with_its_heading_wherever_a_page_ends(client_for, sre):
    """Issues are added one by one, pushing the assessment (a heading and several lines)
    down across a page end: at every step the heading, the verdict and the last line of
    the summary share a page, so the heading never ends a page apart from its text."""
    report = report_for("pass", summary=ASSESSMENT)
    client = client_for(sre)
    moved = 0
    for issues in range(80):
        pages = _pages(client.get(f"/drills/reports/{report.pk}/pdf/"))
        on = {
            part: [i for i, text in enumerate(pages) if part in text]
            for part in ("Overall assessment", "PASS — Finding 1:", "Finding 8:")
        }
        assert all(len(found) == 1 for found in on.values()), (issues, on)
        assert len({found[0] for found in on.values()}) == 1, f"{issues} issues: split {on}"
        if on["Overall assessment"][0] > 0:
            moved += 1
            if moved == 3:  # well past the page end: every way of meeting it was tried
                break
        DrillIssue.objects.create(
            report=report, description=f"Issue {issues + 1} seen during the drill", severity="low"
        )
    assert moved == 3, "eighty issues never pushed the assessment onto a second page"
