"""Runbooks in every state the API's routes act on, made through the services, for the
permission matrix, the fuzz test and the API tests."""

from __future__ import annotations

import secrets
import uuid

from bcp_portal.core import roles, signing
from bcp_portal.core.roles import user_roles
from compliance import services
from compliance.models import ChangeRequest, ChangeType, RunbookDocument, RunbookVersion
from tests.compliance.factories import PASSWORD, SMALL_RUNBOOK, approve, signer
from tests.factories import UserFactory
from tests.twofactor import give_two_factor

# The change type whose matrix rule (the seed's defaults) needs each role.
CHANGE_TYPE_FOR_ROLE = {
    roles.SRE_LEAD: ChangeType.CONTACT_UPDATE,
    roles.ENGINEERING_MANAGER: ChangeType.PROCEDURE_UPDATE,
    roles.CTO: ChangeType.STRATEGY_CHANGE,
    roles.DPO: ChangeType.COMPLIANCE_UPDATE,
    roles.LEGAL_COUNSEL: ChangeType.COMPLIANCE_UPDATE,
}
EDITED = SMALL_RUNBOOK.replace("Call the on-call engineer first.", "Call the SRE Lead first.")


def new_doc_id() -> str:
    return f"DR-API-{uuid.uuid4().hex[:10].upper()}"


def lead() -> object:
    """A fresh SRE Lead: imports, submits and publishes for the tests."""
    return UserFactory(roles=[roles.SRE_LEAD])


def draft(*, author=None, change_type: str = ChangeType.PROCEDURE_UPDATE) -> RunbookVersion:
    """A new document's first version, a draft."""
    return services.document_import(
        actor=author or lead(),
        text=SMALL_RUNBOOK,
        doc_id=new_doc_id(),
        change_type=change_type,
        reason="First import",
    )


def closed_document() -> RunbookDocument:
    """A document with no open change (its first draft withdrawn): a change may be opened."""
    author = lead()
    version = draft(author=author)
    services.change_withdraw(actor=author, change=version.change, reason="Started again")
    return version.document


def may_author(user) -> bool:
    return user is not None and user.has_perm(services.PERM_AUTHOR)


def own_draft(user) -> RunbookVersion:
    """An edited draft written by `user` (by a fresh SRE Lead when `user` may not write
    one), ready to submit."""
    if not may_author(user):
        version = draft()
        author = version.change.author
    else:
        author = user
        version = services.change_open(
            actor=user,
            document=closed_document(),
            change_type=ChangeType.PROCEDURE_UPDATE,
            reason="Clearer contacts",
        )
    return services.version_content_replace(actor=author, version=version, content=EDITED)


def in_review_for(user) -> RunbookVersion:
    """A change in review, written by someone else, that needs `user`'s role when one of
    theirs signs runbook changes."""
    held = user_roles(user) if user is not None else set()
    change_type = next(
        (CHANGE_TYPE_FOR_ROLE[r] for r in sorted(held) if r in CHANGE_TYPE_FOR_ROLE),
        ChangeType.PROCEDURE_UPDATE,
    )
    author = lead()
    version = draft(author=author, change_type=change_type)
    services.change_submit(actor=author, change=version.change)
    version.refresh_from_db()
    return version


def approved() -> RunbookVersion:
    """A procedure update approved by the Engineering Manager and the DPO."""
    version = in_review_for(None)
    tag = uuid.uuid4().hex[:8]
    manager = signer(roles.ENGINEERING_MANAGER, username=f"em-{tag}", codes=("41414141",))
    dpo = signer(roles.DPO, username=f"dpo-{tag}", codes=("42424242",))
    approve(version, manager, roles.ENGINEERING_MANAGER, "41414141")
    approve(version, dpo, roles.DPO, "42424242")
    version.refresh_from_db()
    return version


def published() -> RunbookVersion:
    version = approved()
    services.version_publish(actor=version.change.author, version=version)
    version.refresh_from_db()
    return version


def fresh_code(user) -> str:
    """A new backup code of `user`'s, good once."""
    code = f"{secrets.randbelow(10**8):08d}"
    give_two_factor(user, backup_codes=(code,))
    return code


def signing_role(user) -> str:
    held = sorted(user_roles(user))
    return next((r for r in held if r in CHANGE_TYPE_FOR_ROLE), held[0] if held else roles.SRE)


def sign_body(user, subject) -> dict:
    """What `user` posts to sign `subject` in their role, re-authenticating."""
    if user is None:
        return {}
    return {
        "role": signing_role(user),
        "shown_hash": signing.subject_hash(subject),
        "password": PASSWORD,
        "otp_code": fresh_code(user),
    }


def latest_change() -> ChangeRequest:
    return ChangeRequest.objects.latest("pk")


def latest_document() -> RunbookDocument:
    return RunbookDocument.objects.latest("pk")
