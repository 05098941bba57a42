"""A runbook change through the browser: the author proposes a procedure update, edits a
section and submits it; the Engineering Manager and the DPO each sign with their password
and a fresh one-time code (each first opens the diff in the inbox); the CTO publishes it."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from bcp_portal.core import roles
from bcp_portal.core.models import SignOff
from compliance import services
from compliance.models import RunbookVersion
from tests.compliance.factories import (
    SMALL_RUNBOOK,
    approve,
    document_with_draft,
    signer,
    submitted,
)
from tests.factories import UserFactory
from tests.fixtures.browser import PASSWORD, log_in
from tests.twofactor import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clock_step(time_machine):
    """Move the clock (the live server's too: same process) to the next 30-second step, so
    the code typed to sign differs from the one typed to sign in, as it would for a person."""
    time_machine.move_to(datetime.now(UTC), tick=True)

    def step() -> None:
        time_machine.shift(timedelta(seconds=30))

    return step


@pytest.fixture
def published():
    """DR-TEST-001 with a first version published (made through the services)."""
    lead = UserFactory(username="lee", first_name="Lee", roles=[roles.SRE_LEAD])
    version = document_with_draft(lead)
    version = submitted(lead, version)
    approve(
        version,
        signer(roles.ENGINEERING_MANAGER, username="em0", codes=("e0",)),
        roles.ENGINEERING_MANAGER,
        "e0",
    )
    approve(version, signer(roles.DPO, username="dpo0", codes=("d0",)), roles.DPO, "d0")
    services.version_publish(actor=lead, version=version)
    return version.document


def _log_out(page: Page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.get_by_test_id("logout").click()


def _sign(page: Page, username: str, name: str, role: str, clock_step) -> None:
    log_in(page, username)
    page.get_by_role("link", name="Approvals").first.click()
    card = page.get_by_test_id("waiting-change")
    expect(card).to_contain_text(f"you are asked as {role}")
    # The inbox shows the diff in place when asked (htmx loads the diff page's part).
    card.get_by_text("Show the changes").click()
    expect(card.get_by_test_id("diff-summary")).to_contain_text("1 section changed")
    expect(card.locator('[data-status="changed"]')).to_contain_text("2.1 Restore")
    page.get_by_role("link", name="Review and sign").click()
    expect(page.get_by_test_id("diff-summary")).to_contain_text("1 section changed")
    clock_step()
    device = TOTPDevice.objects.get(user__username=username)
    page.get_by_label("Comment").fill(f"Checked as {role}.")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("alert").first).to_contain_text(f"Approved as {role}")
    expect(page.locator(f'[data-role="{role}"]')).to_contain_text("approved by")
    _log_out(page, name)


def test_a_procedure_update_is_edited_signed_twice_and_published(
    page: Page, published, clock_step, tmp_path
):
    UserFactory(username="sam", first_name="Sam", roles=[roles.SRE])
    UserFactory(username="erin", first_name="Erin", roles=[roles.ENGINEERING_MANAGER])
    UserFactory(username="dana", first_name="Dana", roles=[roles.DPO])
    UserFactory(username="chris", first_name="Chris", roles=[roles.CTO])

    # The author (an SRE) proposes a procedure update and edits one section.
    log_in(page, "sam")
    page.get_by_role("link", name="Runbooks").first.click()
    page.get_by_role("link", name="DR-TEST-001").click()
    page.get_by_label("Change type").select_option("procedure_update")
    page.get_by_label("Reason").fill("The restore now lists the dump first.")
    page.get_by_role("button", name="Open a draft").click()
    page.get_by_role("link", name="Edit 2.1 Restore").click()
    editor = page.get_by_label("Section (Markdown: its heading and body)")
    editor.fill(editor.input_value().replace("| head", "| head -20"))
    page.get_by_role("button", name="Save the section").click()
    expect(page.get_by_role("alert").first).to_contain_text("saved")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_test_id("version-status")).to_have_text("In review")
    expect(page.get_by_test_id("change-request")).to_contain_text("2.1 Restore")
    _log_out(page, "Sam")

    # Each approver signs with password and a fresh code.
    _sign(page, "erin", "Erin", roles.ENGINEERING_MANAGER, clock_step)
    _sign(page, "dana", "Dana", roles.DPO, clock_step)

    # The publisher publishes.
    log_in(page, "chris")
    version = RunbookVersion.objects.get(document=published, status="approved")
    page.goto(f"/runbooks/versions/{version.pk}/")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_test_id("version-status")).to_have_text("Published")

    version.refresh_from_db()
    assert version.status == RunbookVersion.Status.PUBLISHED
    assert "pg_restore --list backup.dump | head -20" in version.content
    assert version.content != SMALL_RUNBOOK
    signed = SignOff.objects.filter(subject_id=version.change.pk, voided_at__isnull=True)
    assert sorted(signed.values_list("signer__username", flat=True)) == ["dana", "erin"]
    assert {s.content_sha256 for s in signed} == {page.get_by_test_id("current-hash").inner_text()}

    # The PDF's last page signs off: both approvers, their roles and the content hash.
    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    pdf_path = tmp_path / "runbook.pdf"
    download_info.value.save_as(pdf_path)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages]
    sign_off = pages[-1]
    assert "Sign-off" in sign_off
    assert "Erin" in sign_off and "Dana" in sign_off
    assert roles.ENGINEERING_MANAGER in sign_off and roles.DPO in sign_off
    signed_hash = signed.first().content_sha256
    assert signed_hash in sign_off.replace(" ", "").replace("\n", "")
