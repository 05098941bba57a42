"""manage.py import_runbook and export_runbook: a runbook goes in and comes out unchanged."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bcp_portal.core.audit import Source
from compliance.models import RunbookDocument, RunbookVersion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "command_runbooks" / "warehouse_runbook.md"


@pytest.fixture
def lead():
    return UserFactory(username="lead", roles=["SRE Lead"])


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def import_file(path: Path, *extra: str) -> RunbookVersion:
    run(
        "import_runbook",
        str(path),
        "--as",
        "lead",
        "--change-type",
        "procedure_update",
        "--reason",
        "First import",
        *extra,
    )
    return RunbookVersion.objects.latest("pk")


def test_a_crlf_runbook_imported_and_exported_comes_back_the_same_after_normalisation(
    lead, tmp_path
):
    original = FIXTURE.read_bytes()
    crlf = tmp_path / "crlf.md"
    crlf.write_bytes(original.replace(b"\n", b"\r\n"))
    version = import_file(crlf)
    assert version.document.doc_id == "DR-CMD-001"
    out = tmp_path / "out.md"
    run("export_runbook", str(version.pk), "--out", str(out))
    assert out.read_bytes() == original
    run("export_runbook", "DR-CMD-001", "--out", str(tmp_path / "by-doc.md"))
    assert (tmp_path / "by-doc.md").read_bytes() == original


def test_the_import_is_recorded_as_a_command_by_the_named_person(lead):
    version = import_file(FIXTURE)
    row = version.history.latest()
    assert row.history_user == lead
    assert row.history_source == Source.COMMAND
    assert version.change.author == lead


def test_a_file_that_is_not_utf8_is_refused_with_the_reason(lead, tmp_path):
    bad = tmp_path / "latin1.md"
    bad.write_bytes("# Runbook\nCaf\u00e9\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not valid UTF-8"):
        import_file(bad)
    assert not RunbookDocument.objects.exists()


def test_an_empty_file_is_refused(lead, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        import_file(empty)


def test_a_missing_file_an_unknown_person_and_one_without_permission_are_refused(lead, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        import_file(tmp_path / "nowhere.md")
    with pytest.raises(CommandError, match="No active user"):
        run("import_runbook", str(FIXTURE), "--as", "ghost", "--change-type", "procedure_update")
    UserFactory(username="reader", roles=["Auditor"])
    with pytest.raises(CommandError):
        run("import_runbook", str(FIXTURE), "--as", "reader", "--change-type", "procedure_update")
    assert not RunbookDocument.objects.exists()


def test_exporting_an_unknown_version_says_so(db):
    with pytest.raises(CommandError, match="No runbook version or document"):
        run("export_runbook", "NO-SUCH-DOC")
