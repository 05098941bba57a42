"""Write a runbook version's exact Markdown to a file or standard output.

    manage.py export_runbook VERSION_ID|DOC_ID [--out FILE]

A number is a version id; anything else a document id, whose published version (else its
newest) is exported. The bytes are the version's content as stored: UTF-8 with LF endings,
the text that was imported (after line-ending normalisation) and that approvers signed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.models import RunbookDocument, RunbookVersion
from compliance.services import current_version


class Command(BaseCommand):
    help = "Export a runbook version's Markdown exactly as stored."

    def add_arguments(self, parser):
        parser.add_argument("target", help="A version id, or a document id.")
        parser.add_argument("--out", default="", help="The file to write (default: stdout).")

    def handle(self, *args, **options):
        target = options["target"].strip()
        version: RunbookVersion | None = None
        if target.isdigit():
            version = RunbookVersion.objects.select_related("document").filter(pk=target).first()
        if version is None:
            document = RunbookDocument.objects.filter(doc_id=target).first()
            version = current_version(document) if document is not None else None
        if version is None:
            raise CommandError(f"No runbook version or document is called {target!r}.")
        data = version.content.encode("utf-8")
        if options["out"]:
            out = Path(options["out"])
            try:
                out.write_bytes(data)
            except OSError as error:
                raise CommandError(f"Cannot write {out}: {error.strerror or error}") from None
            self.stderr.write(
                f"Wrote {version.document.doc_id} {version.label} to {out} ({len(data):,} bytes)."
            )
        else:
            stream = getattr(self.stdout, "_out", sys.stdout)
            buffer = getattr(stream, "buffer", None)
            if buffer is not None:
                buffer.write(data)
                buffer.flush()
            else:
                stream.write(version.content)
