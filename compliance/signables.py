"""What a runbook change and a runbook review sign (registered with the signing service)."""

from __future__ import annotations

from bcp_portal.core import roles, signing
from bcp_portal.core.models import SignOff
from compliance.models import (
    CHANGE_SOURCE,
    REVIEW_SOURCE,
    ChangeRequest,
    RunbookDocument,
    RunbookVersion,
)

# Who may record a periodic review of a runbook (any one of them, in their role).
REVIEW_ROLES = (
    roles.SRE_LEAD,
    roles.ENGINEERING_MANAGER,
    roles.CTO,
    roles.DPO,
    roles.LEGAL_COUNSEL,
)


def change_payload(change: ChangeRequest) -> dict[str, str]:
    """Exactly what an approver signs: which version, the change type, the reason and the
    full Markdown content (docs/signing.md)."""
    version = change.version
    return {
        "document": version.document.doc_id,
        "version": version.label,
        "change_type": change.change_type,
        "reason": change.reason,
        "content": version.content,
    }


def change_label(change: ChangeRequest) -> str:
    return f"{change.version} ({change.get_change_type_display()})"


def change_roles(change: ChangeRequest) -> tuple[str, ...]:
    return tuple(r.role for r in change.required.all())


def change_open_reason(change: ChangeRequest) -> str:
    status = change.version.status
    if status == "in_review":
        return ""
    if status == "approved":
        return "Every required role has approved it already; it waits to be published."
    if status == "draft":
        return "This change is a draft: its author has not submitted it for review."
    return f"Version {change.version.label} is {change.version.get_status_display().lower()}."


def _published(document: RunbookDocument) -> RunbookVersion | None:
    return document.versions.filter(status="published").first()


def review_payload(document: RunbookDocument) -> dict[str, str]:
    return review_payload_of(document, _published(document))


def review_hash_of(document: RunbookDocument, published: RunbookVersion | None) -> str:
    """What `signing.subject_hash(document)` gives, from the published version a page has
    read already (`published`, None for none) instead of reading it again."""
    return signing.content_hash(REVIEW_SOURCE, review_payload_of(document, published))


def review_payload_of(document: RunbookDocument, version: RunbookVersion | None) -> dict[str, str]:
    return {
        "document": document.doc_id,
        "version": version.label if version else "",
        "content": version.content if version else "",
        "review_cadence": document.review_cadence,
    }


def review_open_reason(document: RunbookDocument) -> str:
    if _published(document) is None:
        return "Nothing is published yet: a review covers the published version."
    return ""


def register_all() -> None:
    from compliance import services

    signing.register(
        ChangeRequest,
        signing.Signable(
            purpose=CHANGE_SOURCE,
            payload=change_payload,
            label=change_label,
            required_roles=change_roles,
            open_reason=change_open_reason,
            authors=lambda change: {change.author_id},
            on_signed=services.on_change_signed,
        ),
    )
    signing.register(
        RunbookDocument,
        signing.Signable(
            purpose=REVIEW_SOURCE,
            payload=review_payload,
            label=lambda document: f"Review of {document.doc_id} {document.title}",
            required_roles=lambda document: REVIEW_ROLES,
            open_reason=review_open_reason,
            decisions=(SignOff.Decision.REVIEWED,),
            on_signed=services.on_document_reviewed,
            role_filled_once=False,
        ),
    )
