"""The demo's notification clocks: each state the desk shows, and a rerun adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

import bcp_portal.demo
import bcp_portal.management.commands.demo
from bcp_portal.catalogue.models import CompetentAuthority, LegalEntity
from compliance.demo_notifications import DORA, OVERDUE, PROVISIONAL, RUNNING, SUBMITTED
from compliance.models_notifications import Obligation, Submission

pytestmark = pytest.mark.django_db

GDPR = "eu_gdpr_art33_art34"


@pytest.fixture
def demo(monkeypatch, tmp_path):
    path = tmp_path / "demo-logins.txt"
    monkeypatch.setattr(bcp_portal.demo, "LOGINS_FILE", path)
    monkeypatch.setattr(bcp_portal.management.commands.demo, "LOGINS_FILE", path)
    monkeypatch.setattr(
        bcp_portal.management.commands.demo,
        "DEMO_STEPS",
        [bcp_portal.demo.demo_notification_clocks],
    )

    def run() -> str:
        out = StringIO()
        call_command("demo", stdout=out)
        return out.getvalue()

    return run


def gdpr_clock(title: str) -> Obligation:
    return Obligation.objects.get(
        incident__title=title, regime_key=GDPR, stage_key="supervisory_authority"
    )


def test_the_demo_shows_each_state_of_a_clock_and_a_rerun_adds_nothing(demo):
    output = demo()
    now = timezone.now()
    assert "Notification clocks:" in output
    assert set(LegalEntity.objects.values_list("name", flat=True)) == {
        "Acme Payments SAS",
        "Acme Holdings Inc.",
    }
    assert CompetentAuthority.objects.filter(name="CNIL").exists()

    running = gdpr_clock(RUNNING)
    assert running.status == "open" and not running.provisional and running.due_at > now
    provisional = gdpr_clock(PROVISIONAL)
    assert provisional.provisional and provisional.due_at > now
    overdue = gdpr_clock(OVERDUE)
    assert overdue.status == "open" and overdue.due_at < now

    initial = Obligation.objects.get(
        incident__title=SUBMITTED, regime_key=DORA, stage_key="initial_notification"
    )
    assert initial.status == "submitted"
    intermediate = Obligation.objects.get(
        incident__title=SUBMITTED, regime_key=DORA, stage_key="intermediate_report"
    )
    sent = initial.submissions.get().submitted_at
    assert intermediate.status == "open" and intermediate.anchor_at == sent
    assert intermediate.due_at is not None and intermediate.due_at > now

    counts = (Obligation.objects.count(), Obligation.history.count(), Submission.objects.count())
    demo()
    assert (
        Obligation.objects.count(),
        Obligation.history.count(),
        Submission.objects.count(),
    ) == counts
