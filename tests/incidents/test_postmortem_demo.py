"""The demo's post-mortems: one published (signed by the SRE Lead with their own password and
code, with action items and lessons), one draft with a status-page draft; a rerun adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

import bcp_portal.demo
import bcp_portal.management.commands.demo
from bcp_portal.actions.models import Action
from bcp_portal.core import signing
from incidents.demo_postmortems import DRAFT_TITLE, PUBLISHED_TITLE
from incidents.models import CommunicationDraft, PostMortem

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch, tmp_path):
    path = tmp_path / "demo-logins.txt"
    monkeypatch.setattr(bcp_portal.demo, "LOGINS_FILE", path)
    monkeypatch.setattr(bcp_portal.management.commands.demo, "LOGINS_FILE", path)
    monkeypatch.setattr(
        bcp_portal.management.commands.demo,
        "DEMO_STEPS",
        [bcp_portal.demo.demo_catalogue, bcp_portal.demo.demo_postmortems],
    )

    def run() -> str:
        out = StringIO()
        call_command("demo", stdout=out)
        return out.getvalue()

    return run


def test_the_demo_has_a_published_post_mortem_and_a_draft_and_a_rerun_adds_nothing(demo):
    demo()
    published = PostMortem.objects.get(incident__title=PUBLISHED_TITLE)
    assert published.status == "published"
    assert {s.signer.username for s in signing.valid_approvals(published)} == {"srelead"}
    assert published.lessons.count() == 3
    assert set(published.actions.values_list("status", flat=True)) == {Action.Status.OPEN}
    draft = PostMortem.objects.get(incident__title=DRAFT_TITLE)
    assert draft.status == "draft"
    assert CommunicationDraft.objects.filter(incident=draft.incident).count() == 1
    demo()
    assert PostMortem.objects.count() == 2 and CommunicationDraft.objects.count() == 1
