"""The DPO in a real browser: sees a running GDPR clock on the compliance desk, opens the
incident's notifications, records the DORA initial notification with the authority's
reference number, and the intermediate report (72 hours from that actual submission)
appears with its due time and a live countdown. The engine and the data file are real."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bcp_portal.catalogue.models import CompetentAuthority, LegalEntity
from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core import roles
from compliance import notifications
from compliance.deadlines import types
from compliance.models_notifications import IncidentFact, Obligation, Submission
from tests.factories import UserFactory
from tests.fixtures.browser import csp_violations, log_in
from tests.incidents.factories import declare

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GDPR = "eu_gdpr_art33_art34"
DORA = "eu_dora_major_ict_incident"
COUNTDOWN = re.compile(r"^(\d+ d )?(\d+ h )?\d+ min( \d+ s)? left$")


def a_dora_and_gdpr_incident(dpo):
    """Acme SAS (a French DORA financial entity and GDPR controller) loses customer data:
    the DPO has recorded the GDPR risk, awareness and the classification as major."""
    LegalEntity.objects.create(
        profile=organisation_profile(),
        name="Acme SAS",
        jurisdictions=["FR"],
        statuses=["gdpr_controller", "dora_financial_entity"],
        holiday_calendars=["FR"],
        time_zone="Europe/Paris",
    )
    CompetentAuthority.objects.create(name="ACPR", jurisdiction="FR", regimes=[DORA])
    now = timezone.now()
    incident = declare(
        UserFactory(username="sre-sam", roles=[roles.SRE]),
        title="Customer database exposed",
        detected_at=now - dt.timedelta(hours=3),
        involves_personal_data=True,
    )
    for kind, at, value in (
        (IncidentFact.GDPR_RISK, None, types.RISK),
        (types.CONTROLLER_AWARENESS, now - dt.timedelta(hours=2), ""),
        (types.AWARENESS, now - dt.timedelta(hours=2), ""),
        (types.CLASSIFICATION_MAJOR, now - dt.timedelta(hours=1), ""),
    ):
        notifications.fact_record(
            actor=dpo,
            incident=incident,
            kind=kind,
            occurred_at=at,
            time_zone="Europe/Paris" if at else "",
            value=value,
            reason="Recorded by the DPO from the incident call.",
        )
    return incident


def test_the_dpo_records_a_submission_and_the_next_stage_starts_its_clock(
    page, screenshot, console_log
):
    dpo = UserFactory(username="dana", first_name="Dana", last_name="Okafor", roles=[roles.DPO])
    incident = a_dora_and_gdpr_incident(dpo)
    gdpr = Obligation.objects.get(
        incident=incident, regime_key=GDPR, stage_key="supervisory_authority"
    )
    initial = Obligation.objects.get(
        incident=incident, regime_key=DORA, stage_key="initial_notification"
    )
    intermediate = Obligation.objects.get(
        incident=incident, regime_key=DORA, stage_key="intermediate_report"
    )
    assert gdpr.due_at and initial.due_at and intermediate.due_at is None
    log_in(page, "dana")

    page.get_by_role("link", name="Compliance", exact=True).click()
    page.wait_for_url("**/compliance/desk/")
    clocks = page.get_by_test_id("desk-clocks")
    gdpr_row = clocks.get_by_test_id("desk-row").filter(
        has_text="Notification to supervisory authority"
    )
    expect(gdpr_row).to_contain_text(incident.reference)
    expect(gdpr_row.get_by_test_id("countdown")).to_have_text(COUNTDOWN)
    screenshot("desk")

    # The DORA initial notification's row (the intermediate one waits for its submission).
    clocks.locator(f'a[href$="#obligation-{initial.pk}"]').click()
    page.wait_for_url(f"**/incidents/{incident.pk}/notifications/**")
    card = page.locator('[data-testid="obligation"][data-stage="initial_notification"]')
    expect(card.get_by_test_id("countdown")).to_have_text(COUNTDOWN)
    later = page.locator('[data-testid="obligation"][data-stage="intermediate_report"]')
    expect(later).to_contain_text("Waiting for")

    card.get_by_test_id("record-submission").click()
    form = card.get_by_test_id("submission-form")
    form.get_by_label("Authority").select_option(label="ACPR (FR)")
    form.get_by_label("Reference number").fill("ACPR-2026-17")
    screenshot("submission")
    form.get_by_role("button", name="Record the submission").click()
    expect(page.get_by_role("alert").first).to_contain_text("reference ACPR-2026-17")

    submission = Submission.objects.get(obligation=initial)
    assert submission.reference_number == "ACPR-2026-17" and submission.recipient == "ACPR"
    intermediate.refresh_from_db()
    assert intermediate.due_at == submission.submitted_at + dt.timedelta(hours=72)
    card = page.locator('[data-testid="obligation"][data-stage="initial_notification"]')
    expect(card.get_by_test_id("reference-number")).to_have_text("ACPR-2026-17")
    later = page.locator('[data-testid="obligation"][data-stage="intermediate_report"]')
    due_utc = intermediate.due_at.astimezone(dt.UTC)
    expect(later.get_by_test_id("obligation-due")).to_contain_text(f"{due_utc:%H:%M} UTC")
    countdown = later.get_by_test_id("countdown")
    expect(countdown).to_have_text(re.compile(r"^(2 d 23 h|3 d 0 h) \d+ min left$"))
    screenshot("next-stage")
    assert csp_violations(console_log) == []
