"""Import a Markdown runbook as a draft version with its change request.

    manage.py import_runbook PATH --as USERNAME --change-type procedure_update \
        --reason "Why" [--doc-id DR-ACME-001] [--submit]

The import runs as a person (--as, required): the portal's system user holds no
permission, and a change needs an author who is accountable for it and who then cannot
approve it. The person needs the import permission for a new document (SRE Lead, Engineering
Manager, CTO) or the author permission for a new version of a known one. History rows record
the source "command".
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from bcp_portal.core.audit import Source, audit_context
from compliance import services
from compliance.markdown import RunbookTextError, decode_upload
from compliance.models import ChangeType


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(m)}" for field, m in error.message_dict.items())
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Import a Markdown runbook as a draft version (a new document, or a new version)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The Markdown file (UTF-8).")
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            help="The author: an active user with the permission to import or author.",
        )
        parser.add_argument(
            "--change-type", required=True, choices=ChangeType.values, help="The change type."
        )
        parser.add_argument("--reason", default="", help="Why the runbook changes.")
        parser.add_argument(
            "--doc-id", default="", help="The document id (default: the file's Document ID)."
        )

    def handle(self, *args, **options):
        path = Path(options["path"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from None
        try:
            text = decode_upload(data)
        except RunbookTextError as error:
            raise CommandError(f"{path}: {error}") from None
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user is called {options['username']!r}.")
        try:
            with audit_context(source=Source.COMMAND):
                version = services.document_import(
                    actor=user,
                    text=text,
                    change_type=options["change_type"],
                    reason=options["reason"],
                    doc_id=options["doc_id"],
                )
        except ValidationError as error:
            raise CommandError(_messages(error)) from None
        except PermissionDenied as error:
            raise CommandError(str(error) or f"{user} may not import runbooks.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {version.document.doc_id} {version.label} (version id {version.pk}, "
                f"a draft by {user}): {len(version.content):,} characters, sha256 "
                f"{version.content_sha256}."
            )
        )
