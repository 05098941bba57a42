"""Writes for the contact directory."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from bcp_portal.contacts.models import Contact
from bcp_portal.core.roles import require_perm
from bcp_portal.core.services import apply_changes, save_audited
from bcp_portal.core.typehints import Actor


@transaction.atomic
def contact_create(*, actor: Actor, **fields: Any) -> Contact:
    require_perm(actor, "contacts.add_contact")
    return save_audited(Contact(**fields), actor=actor)


@transaction.atomic
def contact_update(*, actor: Actor, contact: Contact, **fields: Any) -> Contact:
    require_perm(actor, "contacts.change_contact")
    if apply_changes(contact, fields):
        save_audited(contact, actor=actor)
    return contact
