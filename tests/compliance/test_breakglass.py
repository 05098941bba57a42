"""Break-glass copies: a published runbook written to a real folder and to a real
S3-compatible server (moto_server on loopback), retried when the write fails, and the SRE
Lead alerted after the last retry."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
import time_machine
from django.utils import timezone

from bcp_portal.core.models import OutboxMessage
from compliance import breakglass, services
from compliance.models import BreakGlassCopy, RunbookVersion
from tests.compliance.factories import (
    SMALL_RUNBOOK,
    approve,
    document_with_draft,
    signer,
    submitted,
)
from tests.factories import UserFactory
from tests.twofactor import give_two_factor

pytestmark = pytest.mark.django_db

BUCKET = "runbook-copies"


@pytest.fixture
def people():
    author = UserFactory(username="author", roles=["SRE Lead"])
    give_two_factor(author)
    return {
        "author": author,
        "manager": signer("Engineering Manager", codes=("22222222", "22222223")),
        "dpo": signer("DPO", codes=("33333333", "33333334")),
        "publisher": UserFactory(username="publisher", roles=["SRE Lead"]),
    }


def approved(people, version: RunbookVersion, n: int = 0) -> RunbookVersion:
    submitted(people["author"], version)
    approve(version, people["manager"], "Engineering Manager", f"2222222{2 + n}")
    approve(version, people["dpo"], "DPO", f"3333333{3 + n}")
    version.refresh_from_db()
    return version


def publish(people, version, capture):
    """Publish and run what waits for the commit (the write task, eagerly)."""
    with capture(execute=True):
        services.version_publish(actor=people["publisher"], version=version)
    version.refresh_from_db()
    return version


@pytest.fixture
def first_version(people):
    return approved(people, document_with_draft(people["author"]))


def test_publishing_writes_the_markdown_the_pdf_and_the_index_to_the_folder(
    people, first_version, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.BREAK_GLASS_DIR = str(tmp_path)
    version = publish(people, first_version, django_capture_on_commit_callbacks)
    copy = BreakGlassCopy.objects.get(version=version)
    assert (copy.target, copy.status, copy.attempts) == ("folder", "written", 1)
    md = tmp_path / "DR-TEST-001" / f"{version.label}.md"
    pdf = tmp_path / "DR-TEST-001" / f"{version.label}.pdf"
    assert md.read_text(encoding="utf-8") == SMALL_RUNBOOK
    assert pdf.read_bytes().startswith(b"%PDF")
    index = json.loads((tmp_path / "index.json").read_text())
    [row] = index["documents"]
    assert row["doc_id"] == "DR-TEST-001" and row["label"] == version.label
    assert row["md"]["sha256"] == hashlib.sha256(md.read_bytes()).hexdigest()
    assert row["pdf"]["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert row["pdf"]["sha256"] == copy.files["pdf"]["sha256"]
    assert version.label in (tmp_path / "index.md").read_text()
    # No temporary file is left behind by the atomic writes.
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_written_copy_is_not_written_again(
    people, first_version, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.BREAK_GLASS_DIR = str(tmp_path)
    version = publish(people, first_version, django_capture_on_commit_callbacks)
    pdf = tmp_path / "DR-TEST-001" / f"{version.label}.pdf"
    before = pdf.stat().st_mtime_ns
    breakglass.copies_write(version_id=version.pk)
    assert pdf.stat().st_mtime_ns == before
    assert BreakGlassCopy.objects.get(version=version).attempts == 1


def test_a_second_publish_rewrites_the_index_with_the_new_version_only(
    people, first_version, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.BREAK_GLASS_DIR = str(tmp_path)
    first = publish(people, first_version, django_capture_on_commit_callbacks)
    second = services.change_open(
        actor=people["author"],
        document=first.document,
        change_type="procedure_update",
        reason="New restore step",
    )
    services.version_content_replace(
        actor=people["author"], version=second, content=SMALL_RUNBOOK + "\n## 3. Verify\nCheck.\n"
    )
    second = publish(people, approved(people, second, n=1), django_capture_on_commit_callbacks)
    [row] = json.loads((tmp_path / "index.json").read_text())["documents"]
    assert row["label"] == second.label
    # Both versions' files stay; the index names the published one.
    assert (tmp_path / "DR-TEST-001" / f"{first.label}.md").exists()
    assert (tmp_path / "DR-TEST-001" / f"{second.label}.md").exists()


def test_an_unwritable_folder_fails_is_retried_and_alerts_the_sre_lead_after_the_last_retry(
    people, first_version, settings, tmp_path, django_capture_on_commit_callbacks
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    settings.BREAK_GLASS_DIR = str(blocker)
    version = publish(people, first_version, django_capture_on_commit_callbacks)
    copy = BreakGlassCopy.objects.get(version=version)
    assert copy.status == BreakGlassCopy.Status.FAILED
    assert copy.attempts == breakglass.MAX_ATTEMPTS
    assert "NotADirectoryError" in copy.last_error or "FileExistsError" in copy.last_error
    alert = OutboxMessage.objects.get(dedup_key=f"break-glass:{copy.pk}:failed")
    assert alert.to_role.name == "SRE Lead"
    assert str(blocker) in alert.body
    # The publish itself stands: the copy is retried, the runbook is published.
    assert version.status == RunbookVersion.Status.PUBLISHED


def test_the_sweep_writes_a_failed_copy_once_the_folder_works_and_alerts_only_once(
    people, first_version, settings, tmp_path, django_capture_on_commit_callbacks
):
    blocker = tmp_path / "copies"
    blocker.write_text("in the way")
    settings.BREAK_GLASS_DIR = str(blocker)
    version = publish(people, first_version, django_capture_on_commit_callbacks)
    copy = BreakGlassCopy.objects.get(version=version)
    assert breakglass.copies_due() == []  # too recent: the task had its chance
    later = timezone.now() + breakglass.SWEEP_AFTER + dt.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert breakglass.copies_sweep()[version.pk] != "written"
        blocker.unlink()
        assert breakglass.copies_sweep() == {version.pk: "written"}
        assert breakglass.copies_sweep() == {}
    copy.refresh_from_db()
    assert copy.status == BreakGlassCopy.Status.WRITTEN and copy.last_error == ""
    assert (blocker / "DR-TEST-001" / f"{version.label}.md").read_text() == SMALL_RUNBOOK
    assert OutboxMessage.objects.filter(dedup_key__startswith="break-glass:").count() == 1


def test_no_target_configured_plans_no_copy(
    people, first_version, settings, django_capture_on_commit_callbacks
):
    settings.BREAK_GLASS_DIR = ""
    settings.BREAK_GLASS_S3_BUCKET = ""
    version = publish(people, first_version, django_capture_on_commit_callbacks)
    assert not BreakGlassCopy.objects.filter(version=version).exists()


# --- S3, against a real moto_server on loopback -----------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_server():
    port = _free_port()
    executable = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(executable), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def s3(moto_server, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    settings.BREAK_GLASS_DIR = ""
    settings.BREAK_GLASS_S3_BUCKET = BUCKET
    settings.BREAK_GLASS_S3_PREFIX = "dr/runbooks"
    settings.BREAK_GLASS_S3_ENDPOINT_URL = moto_server
    client = boto3.client("s3", endpoint_url=moto_server)
    yield client
    if BUCKET in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
        client.delete_bucket(Bucket=BUCKET)


def test_publishing_writes_the_copy_to_an_s3_bucket(
    people, first_version, s3, django_capture_on_commit_callbacks
):
    s3.create_bucket(Bucket=BUCKET)
    version = publish(people, first_version, django_capture_on_commit_callbacks)
    copy = BreakGlassCopy.objects.get(version=version)
    assert (copy.target, copy.status, copy.location) == (
        "s3",
        "written",
        f"s3://{BUCKET}/dr/runbooks",
    )
    prefix = "dr/runbooks/"
    md = s3.get_object(Bucket=BUCKET, Key=f"{prefix}DR-TEST-001/{version.label}.md")
    assert md["Body"].read().decode("utf-8") == SMALL_RUNBOOK
    pdf = s3.get_object(Bucket=BUCKET, Key=f"{prefix}DR-TEST-001/{version.label}.pdf")[
        "Body"
    ].read()
    assert pdf.startswith(b"%PDF")
    index = json.loads(s3.get_object(Bucket=BUCKET, Key=f"{prefix}index.json")["Body"].read())
    [row] = index["documents"]
    assert row["pdf"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert f"{prefix}index.md" in keys


def test_a_missing_bucket_fails_and_alerts_the_sre_lead_after_the_last_retry(
    people, first_version, s3, django_capture_on_commit_callbacks
):
    version = publish(people, first_version, django_capture_on_commit_callbacks)
    copy = BreakGlassCopy.objects.get(version=version)
    assert copy.status == BreakGlassCopy.Status.FAILED
    assert copy.attempts == breakglass.MAX_ATTEMPTS
    assert "NoSuchBucket" in copy.last_error
    alert = OutboxMessage.objects.get(dedup_key=f"break-glass:{copy.pk}:failed")
    assert alert.to_role.name == "SRE Lead"


def test_a_copy_is_written_to_the_bucket_and_prefix_it_was_planned_for_even_after_a_settings_change(
    people, first_version, s3, settings, django_capture_on_commit_callbacks
):
    s3.create_bucket(Bucket=BUCKET)
    with django_capture_on_commit_callbacks(execute=False):
        services.version_publish(actor=people["publisher"], version=first_version)
    settings.BREAK_GLASS_S3_PREFIX = "elsewhere"
    breakglass.copies_write(version_id=first_version.pk)
    copy = BreakGlassCopy.objects.get(version=first_version)
    assert (copy.status, copy.location) == ("written", f"s3://{BUCKET}/dr/runbooks")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert f"dr/runbooks/DR-TEST-001/{first_version.label}.md" in keys
    assert "dr/runbooks/index.json" in keys
    assert not any(k.startswith("elsewhere/") for k in keys)
