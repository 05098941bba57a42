"""Break-glass copies: every published runbook, outside the portal, for when it is down.

On each publish (`services.version_publish`) `copies_plan` records a pending
`BreakGlassCopy` per configured target: a folder (`BREAK_GLASS_DIR`) and/or an S3 bucket
(`BREAK_GLASS_S3_BUCKET` under `BREAK_GLASS_S3_PREFIX`, at `BREAK_GLASS_S3_ENDPOINT_URL`
for an S3-compatible store; credentials from boto3's usual chain: environment, profile,
instance role). After commit the task `compliance.break_glass_write` calls `copies_write`,
which writes for each pending or failed copy:

    <root>/<doc_id>/<label>.md    the version's exact Markdown (UTF-8, LF line endings)
    <root>/<doc_id>/<label>.pdf   its PDF, as the portal's page renders it
    <root>/index.json             every document's current published version: doc id,
    <root>/index.md               title, label, published at, SHA-256 of .md and .pdf, files

The index is rewritten after each write, in the transaction that marks the copy written and
under a lock per target, so two publishes at once cannot leave an index that misses one of
them, and a copy whose index could not be written is retried. A folder write is
atomic (a temporary file in the same folder, then `os.replace`); an S3 write is one PUT per
object. A written copy is never written again (idempotent); a failed one records its
attempts and last error and is retried by the task (bounded, with backoff), then by the
sweep every ten minutes. Once a copy has failed MAX_ATTEMPTS times, the SRE Lead role is
alerted through the outbox (one message per copy).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bcp_portal.core.outbox import outbox_add
from bcp_portal.core.roles import SRE_LEAD
from compliance.models import BreakGlassCopy, RunbookVersion
from compliance.reports import version_pdf_bytes, version_queryset

# The first write and its retries (the task's) together; then the SRE Lead is alerted and
# the sweep keeps trying.
MAX_ATTEMPTS = 6
# The sweep takes copies left pending or failed this long after they were planned (the
# task had its chance first).
SWEEP_AFTER = timedelta(minutes=5)
ERROR_MAX_CHARS = 2000
INDEX_JSON = "index.json"
INDEX_MD = "index.md"
S3_TIMEOUT_SECONDS = 10


class BreakGlassWriteError(RuntimeError):
    """One or more copies of a version could not be written (each row says why)."""


# --- Targets ------------------------------------------------------------------------------


def configured_targets() -> dict[str, str]:
    """Target -> location, for each target the settings configure. A copy records its
    location when it is planned and is written there (`store_for`), retries included."""
    targets: dict[str, str] = {}
    folder = getattr(settings, "BREAK_GLASS_DIR", "")
    if folder:
        targets[BreakGlassCopy.Target.FOLDER] = str(folder)
    bucket = getattr(settings, "BREAK_GLASS_S3_BUCKET", "")
    if bucket:
        prefix = str(getattr(settings, "BREAK_GLASS_S3_PREFIX", "")).strip("/")
        targets[BreakGlassCopy.Target.S3] = f"s3://{bucket}/{prefix}".rstrip("/")
    return targets


class Store:
    """Where one target's files go: `put(relative name, bytes, content type)`."""

    def put(self, name: str, data: bytes, content_type: str) -> None:
        raise NotImplementedError


class FolderStore(Store):
    """A folder (the location is its path); each file written atomically."""

    def __init__(self, location: str) -> None:
        self.root = Path(location)

    def put(self, name: str, data: bytes, content_type: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class S3Store(Store):
    """A bucket and prefix (the location is "s3://<bucket>/<prefix>"); one PUT per file."""

    def __init__(self, location: str) -> None:
        import boto3
        from botocore.config import Config

        self.bucket, _, self.prefix = location.removeprefix("s3://").partition("/")
        self.client = boto3.client(
            "s3",
            endpoint_url=getattr(settings, "BREAK_GLASS_S3_ENDPOINT_URL", "") or None,
            config=Config(
                connect_timeout=S3_TIMEOUT_SECONDS,
                read_timeout=S3_TIMEOUT_SECONDS * 3,
                retries={"max_attempts": 2, "mode": "standard"},
            ),
        )

    def put(self, name: str, data: bytes, content_type: str) -> None:
        key = f"{self.prefix}/{name}" if self.prefix else name
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            Metadata={"sha256": sha256(data)},
        )


STORES: dict[str, Callable[[str], Store]] = {
    BreakGlassCopy.Target.FOLDER: FolderStore,
    BreakGlassCopy.Target.S3: S3Store,
}


def store_for(copy: BreakGlassCopy) -> Store:
    """The store of the location the copy was planned for."""
    return STORES[copy.target](copy.location)


# --- Planning and writing -------------------------------------------------------------------


def copies_plan(version: RunbookVersion) -> list[BreakGlassCopy]:
    """A pending copy of `version` per configured target (in the publishing transaction)."""
    planned = []
    for target, location in configured_targets().items():
        copy, _ = BreakGlassCopy.objects.get_or_create(
            version=version, target=target, defaults={"location": location}
        )
        planned.append(copy)
    return planned


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def version_files(version: RunbookVersion) -> tuple[str, str]:
    """The .md and .pdf names of a version, relative to a target's root."""
    base = f"{version.document.doc_id}/{version.label}"
    return f"{base}.md", f"{base}.pdf"


class _Rendered:
    """A version's two files, rendered once however many targets take them."""

    def __init__(self, version: RunbookVersion) -> None:
        self.version = version

    @cached_property
    def markdown(self) -> bytes:
        return self.version.content.encode("utf-8")

    @cached_property
    def pdf(self) -> bytes:
        return version_pdf_bytes(self.version)


def copies_write(*, version_id: int) -> list[BreakGlassCopy]:
    """Write the pending and failed copies of a version; the written ones are left alone.

    Raises BreakGlassWriteError when any copy failed (the task retries); the rows record the
    attempts and the error, and a copy that reached MAX_ATTEMPTS alerts the SRE Lead.
    """
    version = version_queryset().get(pk=version_id)
    copies = list(
        BreakGlassCopy.objects.filter(
            version=version,
            status__in=[BreakGlassCopy.Status.PENDING, BreakGlassCopy.Status.FAILED],
        ).order_by("target")
    )
    rendered = _Rendered(version)
    failed = []
    for copy in copies:
        if not _write_one(copy, rendered):
            failed.append(copy)
    if failed:
        raise BreakGlassWriteError(
            "; ".join(f"{c.get_target_display()} {c.location}: {c.last_error}" for c in failed)
        )
    return copies


def _claim(copy: BreakGlassCopy) -> BreakGlassCopy | None:
    """Lock the copy's row and count the attempt; None when another worker wrote it."""
    with transaction.atomic():
        locked = BreakGlassCopy.objects.select_for_update().get(pk=copy.pk)
        if locked.status == BreakGlassCopy.Status.WRITTEN:
            return None
        locked.attempts += 1
        locked.save(update_fields=["attempts"])
    return locked


def _write_one(copy: BreakGlassCopy, rendered: _Rendered) -> bool:
    """Write one copy's files, then, in one transaction, mark it written and rewrite the
    target's index: if the index cannot be written the copy stays failed and is retried."""
    claimed = _claim(copy)
    if claimed is None:
        return True
    copy = claimed
    version = rendered.version
    md_name, pdf_name = version_files(version)
    try:
        store = store_for(copy)
        markdown, pdf = rendered.markdown, rendered.pdf
        store.put(md_name, markdown, "text/markdown; charset=utf-8")
        store.put(pdf_name, pdf, "application/pdf")
        with transaction.atomic():
            _lock_index(copy.target)
            copy.files = {
                "md": {"name": md_name, "sha256": sha256(markdown), "bytes": len(markdown)},
                "pdf": {"name": pdf_name, "sha256": sha256(pdf), "bytes": len(pdf)},
            }
            copy.status = BreakGlassCopy.Status.WRITTEN
            copy.written_at = timezone.now()
            copy.last_error = ""
            copy.save(update_fields=["files", "status", "written_at", "last_error"])
            index_write(copy.target, store)
    except Exception as error:  # a full disk, a refused PUT, a render error: record, retry
        copy.status = BreakGlassCopy.Status.FAILED
        copy.written_at = None
        copy.last_error = f"{type(error).__name__}: {error}"[:ERROR_MAX_CHARS]
        copy.save(update_fields=["status", "written_at", "last_error"])
        if copy.attempts >= MAX_ATTEMPTS:
            alert_failed(copy)
        return False
    return True


def alert_failed(copy: BreakGlassCopy) -> None:
    """Tell the SRE Lead role that a copy could not be written (once per copy)."""
    version = copy.version
    from compliance.services import version_url

    outbox_add(
        key=f"break-glass:{copy.pk}:failed",
        to_role=SRE_LEAD,
        subject=f"Break-glass copy failed: {version} to {copy.get_target_display().lower()}",
        body=(
            f"The break-glass copy of {version.document.title} {version.label} could not be "
            f"written to {copy.location} after {copy.attempts} attempts.\n\n"
            f"Last error: {copy.last_error}\n\nThe portal keeps retrying every ten minutes; "
            "until it succeeds the copy outside the portal is out of date. Check the folder's "
            "permissions and free space, or the bucket, its credentials and endpoint."
        ),
        url=version_url(version),
    )


# --- The index ------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat() if value else ""


def index_rows(target: str) -> list[dict[str, Any]]:
    """Every document's published version, with the files of its copy on `target`."""
    copies = {
        c.version_id: c
        for c in BreakGlassCopy.objects.filter(
            target=target,
            status=BreakGlassCopy.Status.WRITTEN,
            version__status=RunbookVersion.Status.PUBLISHED,
        ).only("version_id", "files")
    }
    versions = (
        RunbookVersion.objects.filter(status=RunbookVersion.Status.PUBLISHED)
        .select_related("document")
        .defer("content")
        .order_by("document__doc_id")
    )
    rows = []
    for version in versions:
        md_name, pdf_name = version_files(version)
        files = copies[version.pk].files if version.pk in copies else {}
        rows.append(
            {
                "doc_id": version.document.doc_id,
                "title": version.document.title,
                "label": version.label,
                "published_at": _iso(version.published_at),
                "md": {"name": md_name, "sha256": version.content_sha256},
                "pdf": {
                    "name": pdf_name if files else "",
                    "sha256": files.get("pdf", {}).get("sha256", ""),
                },
                "written": bool(files),
            }
        )
    return rows


def index_documents(rows: Iterable[dict[str, Any]], *, now: datetime) -> tuple[bytes, bytes]:
    """index.json and index.md for `rows`."""
    rows = list(rows)
    payload = {"generated_at": _iso(now), "documents": rows}
    as_json = json.dumps(payload, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    lines = [
        "# Runbooks: break-glass copies",
        "",
        f"Generated {_iso(now)} by the BCP portal. Each row is the published version of a "
        "runbook; open its .md or .pdf. Check a file with `sha256sum`.",
        "",
        "| Document | Title | Version | Published at (UTC) | Markdown | SHA-256 (.md) "
        "| PDF | SHA-256 (.pdf) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [
            r["doc_id"],
            r["title"],
            r["label"],
            r["published_at"],
            r["md"]["name"],
            r["md"]["sha256"],
            r["pdf"]["name"] or "not written yet",
            r["pdf"]["sha256"],
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    as_md = ("\n".join(lines) + "\n").encode("utf-8")
    return as_json, as_md


def _lock_index(target: str) -> None:
    """Serialise the index writers of a target until the caller's transaction ends, so the
    last writer reads every copy committed before it (PostgreSQL; SQLite's writes are
    serialised by its own lock)."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"break-glass-index:{target}".encode()).digest()[:7])
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def index_write(target: str, store: Store) -> None:
    """Rewrite a target's index (inside the caller's transaction, after _lock_index)."""
    as_json, as_md = index_documents(index_rows(target), now=timezone.now())
    store.put(INDEX_JSON, as_json, "application/json")
    store.put(INDEX_MD, as_md, "text/markdown; charset=utf-8")


# --- The sweep --------------------------------------------------------------------------------


def copies_due(*, now: datetime | None = None) -> list[int]:
    """Versions with a copy still pending or failed SWEEP_AFTER after it was planned."""
    now = now or timezone.now()
    return sorted(
        set(
            BreakGlassCopy.objects.filter(
                status__in=[BreakGlassCopy.Status.PENDING, BreakGlassCopy.Status.FAILED],
                created_at__lte=now - SWEEP_AFTER,
            ).values_list("version_id", flat=True)
        )
    )


def copies_sweep(*, now: datetime | None = None) -> dict[int, str]:
    """Try each due version's copies again: version id -> "written" or the error."""
    results: dict[int, str] = {}
    for version_id in copies_due(now=now):
        try:
            copies_write(version_id=version_id)
            results[version_id] = "written"
        except BreakGlassWriteError as error:
            results[version_id] = str(error)
    return results
