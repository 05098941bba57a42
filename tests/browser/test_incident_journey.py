"""An SRE handles a P1 in a real browser: declares it, adds two timeline entries, restores
and closes it, writes the post-mortem with one action item and downloads its PDF."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from bcp_portal.core import roles
from incidents.models import Incident
from tests.factories import ServiceFactory, UserFactory
from tests.fixtures.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_entry(page, event: str, action: str) -> None:
    form = page.get_by_test_id("timeline-form")
    form.get_by_label("Event").fill(event)
    form.get_by_label("Action taken").fill(action)
    form.get_by_role("button", name="Add to the timeline").click()
    # htmx swaps the timeline in place: the new row appears without a reload.
    expect(page.get_by_test_id("incident-timeline")).to_contain_text(event)


def test_an_sre_takes_a_p1_from_declaration_to_a_post_mortem_pdf(page, screenshot, tmp_path):
    UserFactory(username="sam", first_name="Sam", last_name="Reyes", roles=[roles.SRE])
    ServiceFactory(name="Checkout API", rto_target_minutes=60, rpo_target_minutes=15)
    log_in(page, "sam")

    page.get_by_role("link", name="Incidents").first.click()
    page.get_by_role("link", name="Declare an incident").click()
    page.get_by_label("Title").fill("Checkout returns 502")
    page.get_by_label("Type").select_option(label="Complete application outage")
    page.get_by_label("Severity").select_option("P1")
    page.get_by_role("button", name="Declare").click()
    page.wait_for_url("**/incidents/*/")
    incident = Incident.objects.get()
    expect(page.locator("h1")).to_contain_text(incident.reference)
    assert incident.severity == "P1" and incident.status == "detected"

    add_entry(page, "Rolled back release 2026.11.3", "Deploy pipeline rollback")
    add_entry(page, "Error rate back under 1 %", "Watched the dashboards for 10 minutes")
    screenshot("timeline")

    status = page.get_by_test_id("status-form")
    status.get_by_role("button", name="Restored").click()
    expect(page.get_by_role("alert").first).to_contain_text("is Restored")
    page.get_by_test_id("status-form").get_by_role("button", name="Closed").click()
    expect(page.get_by_role("alert").first).to_contain_text("is Closed")
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.restored_at and incident.closed_at
    events = list(incident.timeline.values_list("event", flat=True))
    assert "Rolled back release 2026.11.3" in events and "Error rate back under 1 %" in events

    page.get_by_role("link", name="Write the post-mortem").click()
    page.get_by_role("button", name="Start the post-mortem").click()
    page.wait_for_url("**/postmortem/edit/")
    page.get_by_label("Summary").fill("A bad release broke checkout; rolling back fixed it.")
    page.get_by_label("Root cause").fill("The release dropped a required header.")
    page.get_by_role("button", name="Add an action item").click()
    row = page.locator('[data-prefix="actions"] [data-formset-row]').first
    row.get_by_label("Action").fill("Add a contract test for the header")
    row.get_by_label("Owner").select_option(label="Sam Reyes")
    row.get_by_label("Due").fill("2026-12-31")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_text("Draft saved").wait_for()
    postmortem = incident.postmortem
    postmortem.refresh_from_db()
    assert postmortem.root_cause == "The release dropped a required header."
    assert [a.title for a in postmortem.actions.all()] == ["Add a contract test for the header"]

    page.goto(f"/incidents/{incident.pk}/postmortem/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    pdf_path = tmp_path / "postmortem.pdf"
    download_info.value.save_as(pdf_path)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages)
    for expected in (
        incident.reference,
        "The release dropped a required header.",
        "Add a contract test for the header",
        "Rolled back release 2026.11.3",
    ):
        assert expected in text, expected
