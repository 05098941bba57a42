"""Every write on runbooks: import, open a change, edit, submit, sign, publish, review.

The life of a change:
  draft --submit--> in review --every required role approves--> approved --publish-->
  published (the previous published version becomes superseded).
A rejection returns it to draft with the comment; the author may withdraw it while open.
An edit of the content, the change type or the reason after it entered review voids every
signature (they were over other content) and starts a new review round: the roles are asked
again. The roles a change needs are fixed from the matrix when it enters review; editing the
matrix later never changes them (a change of its change type takes the matrix's roles anew).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bcp_portal.catalogue.selectors import organisation_today
from bcp_portal.core import signing
from bcp_portal.core.models import SignOff
from bcp_portal.core.outbox import outbox_add
from bcp_portal.core.people import display_name
from bcp_portal.core.roles import holds_role, require_perm
from bcp_portal.core.services import apply_changes, save_audited
from bcp_portal.core.tasking import publish
from bcp_portal.core.typehints import Actor
from compliance.control import document_control
from compliance.diffing import sections_touched
from compliance.markdown import RunbookTextError, normalise, replace_section, sections
from compliance.models import (
    MAX_CONTENT_CHARS,
    MAX_REASON_CHARS,
    ApprovalRule,
    ChangeRequest,
    ChangeType,
    RequiredApproval,
    RunbookDocument,
    RunbookVersion,
    next_review_after,
)

PERM_IMPORT = "compliance.add_runbookdocument"
PERM_DOCUMENT = "compliance.change_runbookdocument"
PERM_AUTHOR = "compliance.add_changerequest"
PERM_PUBLISH = "compliance.publish_runbookversion"
PERM_REVIEW = "compliance.review_runbookdocument"
PERM_MATRIX = "compliance.change_approvalrule"


def content_sha256(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _check_content(content: str) -> str:
    content = normalise(content)
    if len(content) > MAX_CONTENT_CHARS:
        raise ValidationError(
            {
                "content": f"A runbook holds at most {MAX_CONTENT_CHARS:,} characters; this has "
                f"{len(content):,}."
            }
        )
    if "\x00" in content:
        raise ValidationError({"content": "The text holds a NUL character; it is not text."})
    return content


def _check_reason(reason: str) -> str:
    reason = normalise(reason or "").strip()
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationError({"reason": f"Keep the reason under {MAX_REASON_CHARS} characters."})
    return reason


def next_label(document: RunbookDocument, today: dt.date | None = None) -> str:
    """YYYY.MM.N: N counts this document's versions opened in that month."""
    today = today or organisation_today()
    prefix = f"{today:%Y.%m}."
    taken = set(document.versions.filter(label__startswith=prefix).values_list("label", flat=True))
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _new_version(
    *,
    actor: Actor,
    document: RunbookDocument,
    content: str,
    based_on: RunbookVersion | None,
    change_type: str,
    reason: str,
) -> RunbookVersion:
    open_version = document.versions.filter(status__in=RunbookVersion.OPEN).first()
    if open_version is not None:
        raise ValidationError(
            f"{document.doc_id} already has an open change ({open_version.label}, "
            f"{open_version.get_status_display().lower()}); finish or withdraw it first."
        )
    if change_type not in ChangeType.values:
        raise ValidationError({"change_type": "Choose one of the change types."})
    last = document.versions.order_by("-sequence").values_list("sequence", flat=True).first()
    version = RunbookVersion(
        document=document,
        label=next_label(document),
        sequence=(last or 0) + 1,
        status=RunbookVersion.Status.DRAFT,
        content=content,
        content_sha256=content_sha256(content),
        based_on=based_on,
        created_by=cast(User, actor),
    )
    save_audited(version, actor=actor)
    change = ChangeRequest(
        version=version,
        change_type=change_type,
        reason=reason,
        author=cast(User, actor),
        sections_touched=sections_touched(based_on.content if based_on else "", content),
    )
    save_audited(change, actor=actor)
    return version


def current_version(document: RunbookDocument) -> RunbookVersion | None:
    """The published version, or else the newest one."""
    return (
        document.versions.filter(status=RunbookVersion.Status.PUBLISHED).first()
        or document.versions.order_by("-sequence").first()
    )


@transaction.atomic
def document_import(
    *,
    actor: Actor,
    text: str,
    change_type: str,
    reason: str = "",
    doc_id: str = "",
    title: str = "",
    owner: str = "",
    classification: str = "",
    review_cadence: str = "",
    next_review: dt.date | None = None,
) -> RunbookVersion:
    """Import a Markdown runbook as a draft version with its change request.

    A new document id makes a new document (its control block, when the file has one,
    fills what the form left empty); a known one opens a change of that document whose
    content is the file.
    """
    require_perm(actor, PERM_AUTHOR)
    content = _check_content(text)
    if not content.strip():
        raise ValidationError({"content": "The runbook is empty."})
    reason = _check_reason(reason)
    control = document_control(content)
    doc_id = (doc_id or control.doc_id).strip()
    if not doc_id:
        raise ValidationError(
            {"doc_id": "Give a document id: the file has no \u201cDocument ID\u201d line."}
        )
    document = RunbookDocument.objects.select_for_update().filter(doc_id=doc_id).first()
    if document is None:
        require_perm(actor, PERM_IMPORT)
        first_heading = next((s.title for s in sections(content) if s.level >= 1), "")
        document = RunbookDocument(
            doc_id=doc_id,
            title=(title or control.title or first_heading or doc_id)[:200],
            owner=(owner or control.owner or "SRE Team")[:120],
            classification=classification or control.classification or "confidential",
            review_cadence=review_cadence or "semi_annual",
            next_review=next_review
            or control.next_review
            or next_review_after(organisation_today(), review_cadence or "semi_annual"),
        )
        save_audited(document, actor=actor)
        based_on = None
    else:
        based_on = current_version(document)
    return _new_version(
        actor=actor,
        document=document,
        content=content,
        based_on=based_on,
        change_type=change_type,
        reason=reason,
    )


@transaction.atomic
def change_open(
    *, actor: Actor, document: RunbookDocument, change_type: str, reason: str = ""
) -> RunbookVersion:
    """A new draft version copying the current one, ready for its author to edit."""
    require_perm(actor, PERM_AUTHOR)
    document = RunbookDocument.objects.select_for_update().get(pk=document.pk)
    based_on = current_version(document)
    return _new_version(
        actor=actor,
        document=document,
        content=based_on.content if based_on else "",
        based_on=based_on,
        change_type=change_type,
        reason=_check_reason(reason),
    )


def _locked_change(change: ChangeRequest) -> ChangeRequest:
    return (
        ChangeRequest.objects.select_for_update()
        .select_related("version__document")
        .get(pk=change.pk)
    )


def _require_author(actor: Actor, change: ChangeRequest) -> None:
    require_perm(actor, PERM_AUTHOR)
    if change.author_id != actor.pk:
        raise PermissionDenied(
            f"Only its author, {change.author.get_full_name() or change.author}, edits this change."
        )


def _authors_open_change(actor: Actor, change: ChangeRequest) -> ChangeRequest:
    """`change`, locked, once `actor` is found to be its author and it is still open."""
    change = _locked_change(change)
    _require_author(actor, change)
    _require_open(change)
    return change


def _require_open(change: ChangeRequest) -> None:
    if not change.version.is_open:
        raise ValidationError(
            f"Version {change.version.label} is {change.version.get_status_display().lower()}; "
            "it no longer changes. Open a new change instead."
        )


def _save_edited(*, actor: Actor, change: ChangeRequest, why: str, refix_roles: bool) -> None:
    """Save an edited change. In review or approved, its signatures were over other content:
    void them, put it back in review and ask the roles again (a new round)."""
    version = change.version
    restart = version.status in (RunbookVersion.Status.IN_REVIEW, RunbookVersion.Status.APPROVED)
    if restart:
        signing.signoffs_void(subject=change, reason=why, actor=actor)
        if refix_roles:
            _fix_roles(actor=actor, change=change)
        change.review_round += 1
    save_audited(change, actor=actor)
    if not restart:
        return
    if version.status != RunbookVersion.Status.IN_REVIEW:
        version.status = RunbookVersion.Status.IN_REVIEW
        save_audited(version, actor=actor)
    _ask_approvers(change)


def _require_current(change: ChangeRequest, shown_sha256: str) -> None:
    """The editor showed the version as it is now (else someone saved in between)."""
    if shown_sha256 and shown_sha256 != change.version.content_sha256:
        raise ValidationError(
            "The version changed since you opened the editor (someone saved it in between). "
            "Your text is kept below: compare it with the current version and save again."
        )


def _content_edit(*, actor: Actor, change: ChangeRequest, content: str) -> RunbookVersion:
    version = change.version
    content = _check_content(content)
    if content == version.content:
        return version
    version.content = content
    version.content_sha256 = content_sha256(content)
    save_audited(version, actor=actor)
    # Derived from the diff and kept current on every edit (submitting reads it as it is).
    change.sections_touched = sections_touched(
        version.based_on.content if version.based_on else "", content
    )
    _save_edited(
        actor=actor, change=change, why=f"The content was edited by {actor}.", refix_roles=False
    )
    return version


@transaction.atomic
def version_section_edit(
    *, actor: Actor, version: RunbookVersion, key: str, text: str, shown_sha256: str
) -> RunbookVersion:
    """Replace one section (its heading and body) of an open version."""
    change = _authors_open_change(actor, version.change)
    _require_current(change, shown_sha256)
    keys = [section.key for section in sections(change.version.content)]
    if key not in keys:
        raise ValidationError(
            {
                "key": f"Version {change.version.label} has no section \u201c{key}\u201d; its "
                f"sections are {', '.join(keys) or 'none'}."
            }
        )
    text = normalise(text)
    if text and not text.endswith("\n"):
        text += "\n"
    try:
        content = replace_section(change.version.content, key, text)
    except RunbookTextError as exc:
        raise ValidationError({"text": str(exc)}) from exc
    return _content_edit(actor=actor, change=change, content=content)


@transaction.atomic
def version_content_replace(
    *, actor: Actor, version: RunbookVersion, content: str, shown_sha256: str = ""
) -> RunbookVersion:
    """Replace the whole Markdown of an open version (the API, a re-upload)."""
    change = _authors_open_change(actor, version.change)
    _require_current(change, shown_sha256)
    return _content_edit(actor=actor, change=change, content=content)


@transaction.atomic
def change_update(
    *,
    actor: Actor,
    change: ChangeRequest,
    change_type: str | None = None,
    reason: str | None = None,
) -> ChangeRequest:
    """Change the type or the reason. In review, either voids the signatures; a new type
    takes its roles from the matrix as it stands now."""
    change = _authors_open_change(actor, change)
    fields: dict[str, Any] = {}
    if change_type is not None:
        if change_type not in ChangeType.values:
            raise ValidationError({"change_type": "Choose one of the change types."})
        fields["change_type"] = change_type
    if reason is not None:
        fields["reason"] = _check_reason(reason)
    changed = apply_changes(change, fields)
    if not changed:
        return change
    _save_edited(
        actor=actor,
        change=change,
        why=f"The {' and the '.join(n.replace('_', ' ') for n in changed)} changed.",
        refix_roles="change_type" in changed,
    )
    return change


def _fix_roles(*, actor: Actor, change: ChangeRequest) -> None:
    rule = ApprovalRule.objects.filter(change_type=change.change_type).first()
    if rule is None:
        raise ValidationError(
            f"The approval matrix has no rule for {change.get_change_type_display()}; "
            "ask an administrator to add one."
        )
    # Rows of roles that stay are kept (their history reads as one requirement).
    existing = {row.role: row for row in change.required.all()}
    for position, role in enumerate(rule.required_roles):
        row = existing.pop(role, None) or RequiredApproval(change=change, role=role)
        if row.pk is None or row.position != position:
            row.position = position
            save_audited(row, actor=actor)
    for gone in existing.values():
        gone.delete()
    change.implementation_lead = rule.implementation_lead
    change.rule_text = rule.describe()[:400]


@transaction.atomic
def change_submit(*, actor: Actor, change: ChangeRequest) -> ChangeRequest:
    """Put a draft in review: its roles are fixed from the matrix now and asked to approve."""
    change = _locked_change(change)
    _require_author(actor, change)
    version = change.version
    if version.status != RunbookVersion.Status.DRAFT:
        raise ValidationError(
            f"Only a draft is submitted; this one is {version.get_status_display().lower()}."
        )
    problems: dict[str, str] = {}
    if not change.reason.strip():
        problems["reason"] = "Say why the runbook changes: approvers read it first."
    if not version.content.strip():
        problems["content"] = "The version is empty."
    elif version.based_on is not None and version.content == version.based_on.content:
        problems["content"] = (
            f"Nothing changed since {version.based_on.label}: edit a section before submitting."
        )
    if problems:
        raise ValidationError(problems)
    _fix_roles(actor=actor, change=change)
    change.submitted_at = timezone.now()
    change.review_round += 1
    save_audited(change, actor=actor)
    version.status = RunbookVersion.Status.IN_REVIEW
    save_audited(version, actor=actor)
    _ask_approvers(change)
    return change


@transaction.atomic
def change_withdraw(*, actor: Actor, change: ChangeRequest, reason: str) -> ChangeRequest:
    """Close an open change without publishing it (its author, or someone who publishes)."""
    change = _locked_change(change)
    if change.author_id != actor.pk:
        require_perm(actor, PERM_PUBLISH)
    _require_open(change)
    reason = _check_reason(reason)
    if not reason:
        raise ValidationError({"reason": "Say why the change is withdrawn."})
    signing.signoffs_void(subject=change, reason=f"Withdrawn: {reason}", actor=actor)
    version = change.version
    version.status = RunbookVersion.Status.WITHDRAWN
    version._change_reason = f"Withdrawn: {reason}"  # type: ignore[attr-defined]  # read by django-simple-history
    save_audited(version, actor=actor)
    return change


def change_sign(
    *,
    actor: Actor,
    change: ChangeRequest,
    role: str,
    decision: str,
    comment: str = "",
    shown_hash: str,
    password: str,
    code: str | None,
) -> SignOff:
    """Approve or reject a change in review (the one signing service does the checks)."""
    return signing.sign(
        signer=actor,
        subject=change,
        role=role,
        decision=decision,
        comment=comment,
        shown_hash=shown_hash,
        password=password,
        code=code,
    )


def on_change_signed(change: ChangeRequest, signoff: SignOff, actor: Actor) -> None:
    """Called by the signing service inside its transaction."""
    version = change.version
    if signoff.decision == SignOff.Decision.REJECT:
        signing.signoffs_void(
            subject=change, reason=f"Rejected by {actor} as {signoff.role}.", actor=actor
        )
        change.rejection_comment = signoff.comment
        change.rejected_by = cast(User, actor)
        change.rejected_at = signoff.signed_at
        save_audited(change, actor=actor)
        version.status = RunbookVersion.Status.DRAFT
        version._change_reason = f"Rejected: {signoff.comment}"  # type: ignore[attr-defined]  # read by django-simple-history
        save_audited(version, actor=actor)
        outbox_add(
            key=f"runbook-change:{change.pk}:r{change.review_round}:rejected:{signoff.pk}",
            to_user=change.author,
            subject=f"Change rejected: {version} ({signoff.role})",
            body=(
                f"{actor} rejected your change to {version.document.title} as "
                f"{signoff.role}:\n\n{signoff.comment}\n\nIt is a draft again: edit it and "
                "submit it once more."
            ),
            url=version_url(version),
        )
        return
    if not signing.missing_roles(change):
        version.status = RunbookVersion.Status.APPROVED
        save_audited(version, actor=actor)
        outbox_add(
            key=f"runbook-change:{change.pk}:r{change.review_round}:approved",
            to_user=change.author,
            subject=f"Change approved: {version}",
            body=(
                f"Every required role approved {version} of {version.document.title}. "
                "It can be published now."
            ),
            url=version_url(version),
        )


@transaction.atomic
def version_publish(*, actor: Actor, version: RunbookVersion) -> RunbookVersion:
    """Publish an approved version; the published one before it is superseded."""
    require_perm(actor, PERM_PUBLISH)
    version = (
        RunbookVersion.objects.select_for_update().select_related("document").get(pk=version.pk)
    )
    change = version.change
    if version.status != RunbookVersion.Status.APPROVED:
        raise ValidationError(
            f"Only an approved version is published; {version.label} is "
            f"{version.get_status_display().lower()}."
        )
    missing = signing.missing_roles(change)
    if missing:
        raise ValidationError(
            f"Not every required role has approved the current content: waiting for "
            f"{', '.join(missing)}."
        )
    now = timezone.now()
    previous = (
        RunbookVersion.objects.select_for_update()
        .filter(document=version.document, status=RunbookVersion.Status.PUBLISHED)
        .first()
    )
    if previous is not None:
        previous.status = RunbookVersion.Status.SUPERSEDED
        previous.superseded_at = now
        save_audited(previous, actor=actor)
    version.status = RunbookVersion.Status.PUBLISHED
    version.published_at = now
    version.published_by = cast(User, actor)
    save_audited(version, actor=actor)
    # The copies outside the portal: a pending row per configured target (a sweep finds
    # them again if the task is lost), written by the task once this commits.
    from compliance import breakglass
    from compliance.tasks import break_glass_write

    breakglass.copies_plan(version)
    version_id = version.pk
    transaction.on_commit(lambda: publish(break_glass_write, version_id=version_id))
    return version


@transaction.atomic
def document_update(*, actor: Actor, document: RunbookDocument, **fields: Any) -> RunbookDocument:
    """Document control: title, owner, classification, review cadence, next review."""
    require_perm(actor, PERM_DOCUMENT)
    allowed = {"title", "owner", "owner_user", "classification", "review_cadence", "next_review"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"document_update does not change {sorted(unknown)}")
    document = RunbookDocument.objects.select_for_update().get(pk=document.pk)
    changed = apply_changes(document, fields)
    new_owner = document.owner_user
    if "owner_user" in changed and new_owner is not None and not holds_role(new_owner):
        # Reminders would go to someone who cannot open the portal's pages.
        raise ValidationError(
            {
                "owner_user": f"{display_name(new_owner)} holds no role in the portal, so they "
                "could not open the runbook they are reminded of: choose someone who does."
            }
        )
    if changed:
        save_audited(document, actor=actor)
    return document


def review_record(
    *,
    actor: Actor,
    document: RunbookDocument,
    role: str,
    comment: str,
    shown_hash: str,
    password: str,
    code: str | None,
) -> SignOff:
    """A periodic review with no change needed: a signed event that moves the next review
    one cadence on from today."""
    require_perm(actor, PERM_REVIEW)
    return signing.sign(
        signer=actor,
        subject=document,
        role=role,
        decision=SignOff.Decision.REVIEWED,
        comment=comment,
        shown_hash=shown_hash,
        password=password,
        code=code,
    )


def on_document_reviewed(document: RunbookDocument, signoff: SignOff, actor: Actor) -> None:
    today = organisation_today()
    document.last_reviewed_on = today
    document.next_review = next_review_after(today, document.review_cadence)
    document._change_reason = f"Reviewed by {actor} as {signoff.role}"  # type: ignore[attr-defined]  # read by django-simple-history
    save_audited(document, actor=actor)


@transaction.atomic
def approval_rule_update(
    *, actor: Actor, rule: ApprovalRule, required_roles: list[str], implementation_lead: str
) -> ApprovalRule:
    """Administrators edit the matrix; changes already in review keep their roles."""
    if not (actor.is_authenticated and actor.has_perm(PERM_MATRIX)):
        raise PermissionDenied("Only an administrator edits the approval matrix.")
    rule = ApprovalRule.objects.select_for_update().get(pk=rule.pk)
    if apply_changes(
        rule, {"required_roles": required_roles, "implementation_lead": implementation_lead}
    ):
        save_audited(rule, actor=actor)
    return rule


def version_url(version: RunbookVersion) -> str:
    from bcp_portal.core.links import detail_url

    return detail_url("compliance:version-detail", version.pk)


def _ask_approvers(change: ChangeRequest) -> None:
    """Tell each role still missing that the change waits for it (once per round)."""
    version = change.version
    missing = signing.missing_roles(change)
    for role in missing:
        outbox_add(
            key=f"runbook-change:{change.pk}:r{change.review_round}:ask:{role}",
            to_role=role,
            subject=f"Waiting for your approval ({role}): {version}",
            body=(
                f"{change.author} asks for approval of {version.document.title} "
                f"{version.label}, a {change.get_change_type_display().lower()}.\n"
                f"Rule: {change.rule_text}.\nReason: {change.reason}\n"
                f"Sections touched: {', '.join(change.sections_touched) or 'none'}"
            ),
            url=version_url(version),
        )
