"""The portal's one signing service: runbook changes, document reviews, and later GDPR
recovery audits and post-mortem reviews all sign through `sign()`.

A signature binds a person, a role and a decision to the SHA-256 of what they were shown.
What is signed is a *payload*: a flat mapping of names to strings that the subject's app
builds (a runbook change: the document id, the version label, the change type, the reason
and the exact Markdown). Its canonical form, version 1, is documented in docs/signing.md:

    JSON of {"v": 1, "purpose": <purpose>, **payload}, keys sorted, no insignificant
    whitespace (separators "," and ":"), non-ASCII characters kept as they are
    (ensure_ascii off), every string's line endings normalised to LF, encoded as UTF-8.

Anyone can recompute the hash from a printed or exported copy with a few lines of code.

The rules every signature passes, in this order (each refusal says why):
  1. the subject is open for signing (its app says so, or why not);
  2. the decision is one the subject takes, and a rejection has a comment;
  3. the role is one the subject requires, the signer holds it (superuser or not), and it
     has not been filled already;
  4. the signer is not an author of the subject (separation of duties) and has not
     approved it in another role (one person, one role);
  5. the hash the signer's page showed is the current one (else the content changed);
  6. the signer re-authenticates: password and a fresh one-time code (`core.reauth`).
The rule checks come first so that a refusal does not use up a one-time code; the
re-authentication runs outside the write's transaction so that a failed attempt is
recorded (REAUTH_FAILED) even though nothing is signed. The rules are checked again under
a lock on the subject before writing, and the database's partial unique indexes keep one
valid approval per role and per person however requests race.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from bcp_portal.core.models import SignOff
from bcp_portal.core.reauth import reauth_check
from bcp_portal.core.roles import user_roles
from bcp_portal.core.services import save_audited
from bcp_portal.core.typehints import Actor

CANONICAL_VERSION = 1
MAX_COMMENT_CHARS = 4000


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def canonical_bytes(purpose: str, payload: Mapping[str, str]) -> bytes:
    """The exact bytes a signature's hash covers (format version 1, docs/signing.md)."""
    body: dict[str, Any] = {k: normalise_newlines(str(v)) for k, v in payload.items()}
    if "v" in body or "purpose" in body:
        raise ValueError("A payload may not use the reserved names 'v' and 'purpose'.")
    body["v"] = CANONICAL_VERSION
    body["purpose"] = purpose
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def content_hash(purpose: str, payload: Mapping[str, str]) -> str:
    return hashlib.sha256(canonical_bytes(purpose, payload)).hexdigest()


@dataclass(frozen=True)
class Signable:
    """How one kind of subject is signed; its app registers it from AppConfig.ready()."""

    purpose: str  # stored on each SignOff, e.g. "runbook_change"
    payload: Callable[[Any], Mapping[str, str]]  # what is signed, before canonical form
    label: Callable[[Any], str]  # "DR-ACME-001 2026.11.2 (Procedure update)"
    required_roles: Callable[[Any], tuple[str, ...]]  # roles that may sign it
    # "" when the subject takes signatures now, otherwise a sentence saying why not.
    open_reason: Callable[[Any], str]
    # Users who may not sign it (its authors).
    authors: Callable[[Any], set[int]] = lambda subject: set()
    decisions: tuple[str, ...] = (SignOff.Decision.APPROVE, SignOff.Decision.REJECT)
    # Called in the signing transaction after the SignOff is saved (advance the subject).
    on_signed: Callable[[Any, SignOff, Actor], None] = lambda subject, signoff, actor: None
    # Each role is filled once (approvals); False lets a role sign again (periodic reviews).
    role_filled_once: bool = True


_SIGNABLES: dict[type[models.Model], Signable] = {}


def register(model: type[models.Model], signable: Signable) -> None:
    _SIGNABLES[model] = signable


def purposes() -> list[str]:
    """The purposes registered for signing (what a `SignOff.purpose` may be), sorted."""
    return sorted({signable.purpose for signable in _SIGNABLES.values()})


def signable_for(subject: models.Model) -> Signable:
    try:
        return _SIGNABLES[type(subject)]
    except KeyError:
        raise ValueError(f"{type(subject).__name__} is not registered for signing.") from None


def subject_hash(subject: models.Model) -> str:
    signable = signable_for(subject)
    return content_hash(signable.purpose, signable.payload(subject))


def signoffs_for(subject: models.Model) -> models.QuerySet[SignOff]:
    return SignOff.objects.filter(
        subject_type=ContentType.objects.get_for_model(type(subject)), subject_id=subject.pk
    ).select_related("signer")


def valid_approvals(subject: models.Model) -> models.QuerySet[SignOff]:
    return signoffs_for(subject).filter(voided_at__isnull=True, decision=SignOff.Decision.APPROVE)


def approved_roles(subject: models.Model) -> set[str]:
    """Roles with a valid approval of the subject's current content."""
    current_hash = subject_hash(subject)
    return {
        role
        for role, signed_hash in valid_approvals(subject)
        .select_related(None)
        .values_list("role", "content_sha256")
        if signed_hash == current_hash
    }


def missing_roles(subject: models.Model) -> list[str]:
    """Required roles without a valid approval of the current content, in the subject's order."""
    done = approved_roles(subject)
    return [r for r in signable_for(subject).required_roles(subject) if r not in done]


@transaction.atomic
def signoffs_void(*, subject: models.Model, reason: str, actor: Actor | None) -> int:
    """Void every valid signature of `subject` (its content changed, or it was rejected).
    Each one is saved through its history, never with an update()."""
    count = 0
    now = timezone.now()
    for signoff in signoffs_for(subject).select_for_update().filter(voided_at__isnull=True):
        if signoff.decision == SignOff.Decision.REVIEWED:
            continue
        signoff.voided_at = now
        signoff.void_reason = reason[:300]
        save_audited(signoff, actor=actor)
        count += 1
    return count


def refusal(
    signer: Actor, subject: models.Model, *, role: str, decision: str, comment: str, shown_hash: str
) -> str:
    """ "" if `signer` may sign `subject` as `role` now, otherwise the sentence saying why."""
    signable = signable_for(subject)
    if not getattr(signer, "is_authenticated", False) or not getattr(signer, "is_active", False):
        return "Sign in with an active account to sign."
    if reason := signable.open_reason(subject):
        return reason
    if decision not in signable.decisions:
        allowed = ", ".join(SignOff.Decision(d).label.lower() for d in signable.decisions)
        return f"This takes one of these decisions: {allowed}."
    if decision == SignOff.Decision.REJECT and not comment.strip():
        return "Say why you reject it: the author reads your comment."
    if len(comment) > MAX_COMMENT_CHARS:
        return f"Keep the comment under {MAX_COMMENT_CHARS} characters."
    required = signable.required_roles(subject)
    held = user_roles(signer)
    if not held & set(required):
        return (
            f"Signing this needs one of the roles {', '.join(required)}; you hold "
            f"{'none of them' if held else 'no role'}."
        )
    if role not in required:
        return f"This does not need the {role} role; it needs {', '.join(required)}."
    if role not in held:
        return f"You do not hold the {role} role."
    if signer.pk in signable.authors(subject):
        return "You are an author of this change; someone else must sign it (separation of duties)."
    approvals = list(valid_approvals(subject))
    mine = [s for s in approvals if s.signer_id == signer.pk]
    if mine and decision == SignOff.Decision.APPROVE:
        return (
            f"You have already approved this as {mine[0].role}; one person cannot fill two "
            "roles on the same change."
        )
    if signable.role_filled_once and decision == SignOff.Decision.APPROVE:
        taken = [s for s in approvals if s.role == role]
        if taken:
            return f"The {role} role has already approved this (by {taken[0].signer})."
    current = content_hash(signable.purpose, signable.payload(subject))
    if not shown_hash or shown_hash.strip().lower() != current:
        return (
            "What you were shown is not the current content (it changed since your page was "
            "loaded, or the hash sent is not the one shown). Review the current content and "
            "sign again."
        )
    return ""


def sign(
    *,
    signer: Actor,
    subject: models.Model,
    role: str,
    decision: str,
    comment: str = "",
    shown_hash: str,
    password: str,
    code: str | None,
) -> SignOff:
    """Record `signer`'s decision on `subject` in `role`, after every rule and a fresh
    re-authentication. Raises ValidationError (a sentence, or keyed "password"/"otp_code")
    or PermissionDenied (the signer may not sign this at all)."""
    signable = signable_for(subject)
    comment = normalise_newlines(comment or "").strip()
    reason = refusal(
        signer, subject, role=role, decision=decision, comment=comment, shown_hash=shown_hash
    )
    if reason:
        _raise(reason, signer, subject)
    assert isinstance(signer, User)  # refusal() checked it is a signed-in account
    reauth_check(
        signer,
        password,
        code,
        purpose=f"sign {signable.purpose}",
        detail={"subject": signable.label(subject)},
    )
    with transaction.atomic():
        locked = type(subject)._default_manager.select_for_update().get(pk=subject.pk)
        reason = refusal(
            signer, locked, role=role, decision=decision, comment=comment, shown_hash=shown_hash
        )
        if reason:
            _raise(reason, signer, locked)
        signoff = SignOff(
            subject_type=ContentType.objects.get_for_model(type(locked)),
            subject_id=locked.pk,
            purpose=signable.purpose,
            subject_label=signable.label(locked)[:300],
            role=role,
            signer=signer,
            decision=decision,
            comment=comment,
            content_sha256=shown_hash.strip().lower(),
            canonical_version=CANONICAL_VERSION,
            signed_at=timezone.now(),
        )
        save_audited(signoff, actor=signer)
        signable.on_signed(locked, signoff, signer)
    return signoff


def _raise(reason: str, signer: Actor, subject: models.Model) -> None:
    signable = signable_for(subject)
    held = user_roles(signer)
    if getattr(signer, "is_authenticated", False) and not held & set(
        signable.required_roles(subject)
    ):
        raise PermissionDenied(reason)
    raise ValidationError(reason, code="signing")
