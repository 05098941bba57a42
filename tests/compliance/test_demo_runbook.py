"""The demo command's runbook: two published versions and a change waiting for approval,
signed with the demo users' passwords and authenticator codes; a second run adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

import bcp_portal.demo
import bcp_portal.management.commands.demo
from bcp_portal.core import signing
from bcp_portal.core.models import SignOff
from compliance.demo import DOC_ID
from compliance.models import RunbookDocument, RunbookVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch, tmp_path):
    path = tmp_path / "demo-logins.txt"
    monkeypatch.setattr(bcp_portal.demo, "LOGINS_FILE", path)
    monkeypatch.setattr(bcp_portal.management.commands.demo, "LOGINS_FILE", path)
    monkeypatch.setattr(
        bcp_portal.management.commands.demo, "DEMO_STEPS", [bcp_portal.demo.demo_runbook]
    )

    def run() -> str:
        out = StringIO()
        call_command("demo", stdout=out)
        return out.getvalue()

    return run


def test_the_demo_runbook_has_two_published_versions_and_a_change_waiting(demo):
    output = demo()
    document = RunbookDocument.objects.get(doc_id=DOC_ID)
    v1, v2, v3 = document.versions.order_by("sequence")
    assert [v1.status, v2.status, v3.status] == [
        RunbookVersion.Status.SUPERSEDED,
        RunbookVersion.Status.PUBLISHED,
        RunbookVersion.Status.IN_REVIEW,
    ]
    for version in (v1, v2):
        signers = {(s.signer.username, s.role) for s in signing.valid_approvals(version.change)}
        assert signers == {("engmgr", "Engineering Manager"), ("dpo", "DPO")}
    assert v2.change.change_type == "procedure_update"
    assert "refund" in v2.content and "refund" not in v1.content
    assert v3.change.change_type == "contact_update"
    assert signing.missing_roles(v3.change) == ["SRE Lead"]
    assert f"Demo runbook {DOC_ID}" in output


def test_running_the_demo_twice_adds_nothing(demo):
    demo()
    counts = (RunbookVersion.objects.count(), SignOff.objects.count())
    demo()
    assert (RunbookVersion.objects.count(), SignOff.objects.count()) == counts
