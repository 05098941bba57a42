"""A stage the reference marks unverified carries its label wherever it is named: the desk's
provisional box, the pack's submissions, reminders, the timeline and every template."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from bcp_portal.core.models import OutboxMessage
from compliance.notification_reminders import deadline_reminders_send
from tests.compliance.desk import factories as f
from tests.compliance.desk.test_pack_and_panels import pdf_text
from tests.conftest import make_persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo(db):
    return make_persona("dpo")


def test_the_desks_provisional_box_labels_an_unverified_stage(client_for, dpo):
    f.obligation(stage_name="Unsure stage", provisional=True, verified=False, anchor_at=None)
    html = client_for(dpo).get("/compliance/desk/").content.decode()
    start = html.index('data-testid="desk-provisional"')
    box = html[start : html.index("</section>", start)]
    assert "Unsure stage" in box
    assert 'data-testid="label-unverified"' in box


def test_the_desks_provisional_box_does_not_label_a_verified_stage(client_for, dpo):
    f.obligation(stage_name="Sure stage", provisional=True, anchor_at=None)
    html = client_for(dpo).get("/compliance/desk/").content.decode()
    start = html.index('data-testid="desk-provisional"')
    assert "label-unverified" not in html[start : html.index("</section>", start)]


def test_the_packs_submissions_heading_labels_an_unverified_stage(client_for, dpo):
    incident = f.incident(detected_at=timezone.now() - timedelta(hours=30))
    unsure = f.obligation(incident, status="submitted", stage_name="Unsure stage", verified=False)
    f.submission(unsure, reference_number="REF-UNSURE")
    response = client_for(dpo).get(f"/incidents/{incident.pk}/notifications/pack.pdf")
    text = pdf_text(response)
    submissions = text[text.rindex("Submissions") : text.rindex("Timeline")]
    assert "Unsure stage [UNVERIFIED]" in submissions
    timeline = text[text.rindex("Timeline") :]
    assert "Unsure stage (unverified)" in timeline


def test_reminders_name_an_unverified_stage_with_its_label():
    f.obligation(stage_name="Unsure stage", verified=False, due_in=timedelta(hours=-1))
    deadline_reminders_send()
    message = OutboxMessage.objects.filter(dedup_key__startswith="deadline:").first()
    assert message is not None
    assert "Unsure stage (unverified)" in message.subject
    assert "Unsure stage (unverified)" in message.body


def test_an_obligation_names_itself_with_the_label_only_when_unverified():
    assert str(f.obligation(stage_name="A", verified=False)).endswith("A (unverified)")
    assert str(f.obligation(stage_name="B")).endswith(": B")


def test_every_template_naming_a_stage_shows_whether_it_is_verified():
    root = Path(settings.BASE_DIR) / "templates"
    missing = []
    for path in sorted(root.rglob("*.html")):
        text = path.read_text()
        if re.search(r"\bstage_name\b", text) and not (
            "verified" in text or "desk_labels.html" in text
        ):
            missing.append(str(path.relative_to(root)))
    assert missing == []
