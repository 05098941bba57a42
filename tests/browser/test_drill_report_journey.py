"""An SRE files a drill report in a real browser, from first step to PDF."""

import io

import pytest
from pypdf import PdfReader

from bcp_portal.core import roles
from drills.models import DrillReport
from tests.drills.report_factories import ReportDrillFactory
from tests.factories import ServiceFactory, UserFactory
from tests.fixtures.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def step_row(page, number: int):
    return page.locator("[data-testid=steps] [data-formset-row]").nth(number - 1)


def test_an_sre_files_a_drill_report_and_downloads_its_pdf(page, screenshot, tmp_path):
    UserFactory(username="sam", first_name="Sam", last_name="Reyes", roles=[roles.SRE])
    ServiceFactory(name="PostgreSQL primary", rto_target_minutes=120, rpo_target_minutes=60)
    drill = ReportDrillFactory(title="November database recovery")
    log_in(page, "sam")

    page.goto(f"/drills/{drill.pk}/report/")
    page.get_by_role("button", name="Start the report").click()
    page.wait_for_url("**/edit/")

    descriptions = ["Promote the replica", "Step typed by mistake", "Verify row counts"]
    for number, text in enumerate(descriptions, start=1):
        page.get_by_role("button", name="Add a step").click()
        row = step_row(page, number)
        row.get_by_label("Step description").fill(text)
        row.get_by_label("Minutes").fill("-5" if number == 3 else "15")
        row.get_by_label("Result").select_option("pass")
    step_row(page, 2).get_by_role("button", name="Remove").click()

    page.get_by_label("PostgreSQL primary").check()
    page.get_by_label("Actual duration (minutes)").fill("50")
    page.get_by_label("RTO achieved (minutes)").fill("45")
    page.get_by_label("RPO achieved (minutes of data lost)").fill("10")
    page.get_by_label("Summary").fill("Replica promoted well inside the target.")
    page.get_by_role("button", name="Save draft").click()

    # The negative duration is refused; everything typed is still on the page.
    page.get_by_text("Ensure this value is greater than or equal to 0.").wait_for()
    screenshot("validation-error")
    assert step_row(page, 1).get_by_label("Step description").input_value() == descriptions[0]
    # Kept steps stay in their order; the removed one waits at the end, restorable.
    assert step_row(page, 2).get_by_label("Step description").input_value() == descriptions[2]
    assert step_row(page, 3).get_by_role("button", name="Restore").is_visible()
    assert page.get_by_label("Summary").input_value() == "Replica promoted well inside the target."
    assert not DrillReport.objects.get().steps.exists()

    step_row(page, 2).get_by_label("Minutes").fill("5")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved").wait_for()

    # Resume later from the list of reports.
    page.goto("/")
    page.goto("/drills/reports/")
    page.get_by_role("link", name=DrillReport.objects.get().document_id).click()
    page.get_by_role("link", name="Continue editing").click()
    assert page.get_by_label("Summary").input_value() == "Replica promoted well inside the target."
    page.get_by_label("Overall assessment").select_option("pass")
    page.get_by_role("button", name="Submit report").click()
    page.get_by_text("Report submitted. It is now locked.").wait_for()
    screenshot("submitted")

    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    pdf_path = tmp_path / "report.pdf"
    download_info.value.save_as(pdf_path)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages)
    assert "Promote the replica" in text and "Verify row counts" in text
    assert "Step typed by mistake" not in text
    assert "RTO met" in text


def test_the_minutes_of_a_step_follow_its_start_and_end_times(page):
    UserFactory(username="sam", first_name="Sam", last_name="Reyes", roles=[roles.SRE])
    drill = ReportDrillFactory(title="December database recovery")
    log_in(page, "sam")
    page.goto(f"/drills/{drill.pk}/report/")
    page.get_by_role("button", name="Start the report").click()
    page.wait_for_url("**/edit/")

    # A row added in the page: typing the times fills the minutes, and they follow a change.
    page.get_by_role("button", name="Add a step").click()
    row = step_row(page, 1)
    row.get_by_label("Step description").fill("Promote the replica")
    row.get_by_label("Started").fill("2026-11-03T10:00")
    row.get_by_label("Ended").fill("2026-11-03T10:47")
    assert row.get_by_label("Minutes").input_value() == "47"
    row.get_by_label("Ended").fill("2026-11-03T11:05")
    assert row.get_by_label("Minutes").input_value() == "65"

    # Minutes typed by hand are the person's: the times no longer overwrite them.
    page.get_by_role("button", name="Add a step").click()
    second = step_row(page, 2)
    second.get_by_label("Step description").fill("Check the row counts")
    second.get_by_label("Minutes").fill("12")
    second.get_by_label("Started").fill("2026-11-03T11:05")
    second.get_by_label("Ended").fill("2026-11-03T11:30")
    assert second.get_by_label("Minutes").input_value() == "12"

    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved").wait_for()
    steps = DrillReport.objects.get().steps.order_by("order")
    assert [s.duration_minutes for s in steps] == [65, 12]
