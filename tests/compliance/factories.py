"""Runbooks for tests: documents with versions in every state, made through the services."""

from __future__ import annotations

from bcp_portal.core import signing
from compliance import services
from compliance.models import ChangeType, RunbookVersion
from tests.factories import UserFactory
from tests.twofactor import give_two_factor

PASSWORD = "correct horse battery"

SMALL_RUNBOOK = """# Recovery Runbook
**Document ID**: DR-TEST-001
**Owner**: SRE Team
**Classification**: Internal/Confidential

## 1. Contacts
Call the on-call engineer first.

## 2. Database recovery
### 2.1 Restore
```bash
# not a heading
pg_restore --list backup.dump | head
```

| Step | Owner |
|------|-------|
| Restore | SRE |
"""


def signer(role: str, *, username: str | None = None, codes: tuple[str, ...] = ()):
    """A person holding `role` with two-factor and (optionally) backup codes to sign with."""
    user = UserFactory(
        username=username or f"signer-{role.lower().replace(' ', '-')}", roles=[role]
    )
    give_two_factor(user, backup_codes=codes)
    return user


def document_with_draft(
    author,
    *,
    text: str = SMALL_RUNBOOK,
    doc_id: str = "DR-TEST-001",
    change_type: str = ChangeType.PROCEDURE_UPDATE,
    reason: str = "First import",
) -> RunbookVersion:
    return services.document_import(
        actor=author, text=text, doc_id=doc_id, change_type=change_type, reason=reason
    )


def submitted(author, version: RunbookVersion) -> RunbookVersion:
    services.change_submit(actor=author, change=version.change)
    version.refresh_from_db()
    return version


def approve(version: RunbookVersion, user, role: str, code: str):
    change = version.change
    return services.change_sign(
        actor=user,
        change=change,
        role=role,
        decision="approve",
        shown_hash=signing.subject_hash(change),
        password=PASSWORD,
        code=code,
    )
