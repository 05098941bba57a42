"""PDF of a runbook version: document control, the rendered runbook and a sign-off page.

The PDF is what a printed or break-glass copy states about a version: the cover's document
control (document id, title, owner, classification, version label, status, when and by whom
it was published, the next review), the runbook itself (`compliance.markdown.render_html`,
sanitised) and a final "Sign-off" page listing each valid approval with the signer's name,
role, decision, time and the SHA-256 they signed, with the canonical form's version and how
to check it. A version that is not approved (a draft, in review) says "NOT APPROVED" on
every page.

The same bytes serve the page's download and the break-glass copy (`compliance.breakglass`).
A version of up to RUNBOOK_PDF_DIRECT_MAX_CHARS characters is rendered in the request (the
seed runbook, about 42 KB, takes a few seconds); a longer one is rendered by a worker
(`bcp_portal.core.exports`, kind VERSION_EXPORT).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from bcp_portal.core import limits, signing
from bcp_portal.core.exports import Export, register
from bcp_portal.core.pdf import DocumentControl, render_pdf
from bcp_portal.core.people import display_name
from bcp_portal.core.typehints import Actor
from compliance.markdown import render_html
from compliance.models import ChangeRequest, RunbookVersion

TEMPLATE = "print/runbook_version.html"
VERSION_EXPORT = "compliance.version"
# The longest runbook rendered while the reader waits (core.limits); longer ones are
# rendered by a worker (VERSION_EXPORT).
RUNBOOK_PDF_DIRECT_MAX_CHARS = limits.RUNBOOK_PDF_DIRECT_MAX_CHARS
# Statuses whose content every required role has approved.
APPROVED_STATUSES = (
    RunbookVersion.Status.APPROVED,
    RunbookVersion.Status.PUBLISHED,
    RunbookVersion.Status.SUPERSEDED,
)
VERIFY_SENTENCE = (
    "Each hash is the SHA-256 over the canonical form v{v} of document, version, change type, "
    "reason and content: the JSON object of those five fields plus \u201cv\u201d: {v} and "
    "\u201cpurpose\u201d: \u201c{purpose}\u201d, keys sorted, no spaces (separators \u201c,\u201d "
    "and \u201c:\u201d), non-ASCII characters as they are, line endings LF, encoded as UTF-8 "
    "Recompute it from the Markdown copy of this version to verify it."
)


@dataclass(frozen=True)
class Approval:
    name: str
    role: str
    decision: str
    signed_at: datetime
    content_sha256: str
    canonical_version: int
    current: bool


def version_queryset() -> QuerySet[RunbookVersion]:
    """What the PDF reads about a version, in one query."""
    return RunbookVersion.objects.select_related(
        "document", "published_by", "created_by", "change__author"
    )


def _approvals(change: ChangeRequest, current_hash: str, required: list[str]) -> list[Approval]:
    """The change's valid approvals, in the order of its required roles, then by time."""
    order = {role: position for position, role in enumerate(required)}
    rows = [
        Approval(
            name=display_name(s.signer),
            role=s.role,
            decision=s.get_decision_display(),
            signed_at=s.signed_at,
            content_sha256=s.content_sha256,
            canonical_version=s.canonical_version,
            current=s.content_sha256 == current_hash,
        )
        for s in signing.valid_approvals(change).order_by("signed_at", "pk")
    ]
    return sorted(rows, key=lambda a: (order.get(a.role, 99), a.signed_at))


def _signoff_context(change: ChangeRequest | None) -> dict[str, Any]:
    """What the sign-off page says about the version's change (empty without one). The
    required roles are read once: they order the approvals and name what is missing."""
    if change is None:
        return {
            "author": "",
            "approvals": [],
            "required_roles": [],
            "missing_roles": [],
            "current_hash": "",
            "verify_sentence": "",
        }
    required = [r.role for r in change.required.all()]
    current_hash = signing.subject_hash(change)
    approvals = _approvals(change, current_hash, required)
    approved_roles = {a.role for a in approvals}
    return {
        "author": display_name(change.author),
        "approvals": approvals,
        "required_roles": required,
        "missing_roles": [r for r in required if r not in approved_roles],
        "current_hash": current_hash,
        "verify_sentence": VERIFY_SENTENCE.format(
            v=signing.CANONICAL_VERSION, purpose=signing.signable_for(change).purpose
        ),
    }


def version_document(version: RunbookVersion) -> tuple[str, dict, str]:
    """(template, context, filename) of a version's PDF; `version` from version_queryset()."""
    document = version.document
    change = getattr(version, "change", None)
    approved = version.status in APPROVED_STATUSES
    status = version.get_status_display()
    control = DocumentControl(
        document_id=document.doc_id,
        title=document.title,
        revision=f"{version.label} ({status if approved else 'NOT APPROVED: ' + status})",
        classification=document.get_classification_display(),
        owner=document.owner,
        approved_by="",
    )
    context = {
        "document": control,
        "runbook": document,
        "version": version,
        "change": change,
        "approved": approved,
        "status": status,
        "published_by": display_name(version.published_by) if version.published_by else "",
        "content_html": render_html(version.content),
        "canonical_version": signing.CANONICAL_VERSION,
        "markdown_sha256": version.content_sha256,
        **_signoff_context(change),
    }
    return TEMPLATE, context, version_filename(version)


def version_filename(version: RunbookVersion, extension: str = "pdf") -> str:
    return f"{version.document.doc_id}_{version.label}.{extension}"


def renders_in_the_request(version: RunbookVersion) -> bool:
    return len(version.content) <= RUNBOOK_PDF_DIRECT_MAX_CHARS


def version_pdf_bytes(version: RunbookVersion, *, reader: Actor | None = None) -> bytes:
    """The PDF itself (the break-glass copy renders it with no reader: dates in UTC)."""
    template, context, _ = version_document(version)
    return render_pdf(template=template, context=context, reader=reader)


@register(VERSION_EXPORT, permission="compliance.view_runbookversion")
def version_export(*, params: dict, user: Actor) -> Export:
    version = version_queryset().get(pk=params["version"])
    template, context, filename = version_document(version)
    return Export(template=template, context=context, filename=filename)
