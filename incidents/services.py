"""Writes for the service catalogue (incidents and actions join later)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from bcp_portal.roles import require_perm
from bcp_portal.services import apply_changes, save_audited
from compliance.selectors import organisation_profile
from incidents.models import Service

OBJECTIVE_FIELDS = (
    "rto_target_minutes",
    "rto_max_minutes",
    "rpo_target_minutes",
    "rpo_max_minutes",
)


@transaction.atomic
def service_create(*, actor, **fields: Any) -> Service:
    """Add a catalogue entry; objectives not given default to the organisation's."""
    require_perm(actor, "incidents.add_service")
    profile = organisation_profile()
    for name in OBJECTIVE_FIELDS:
        if fields.get(name) is None:
            fields[name] = getattr(profile, name)
    return save_audited(Service(**fields), actor=actor)


@transaction.atomic
def service_update(*, actor, service: Service, **fields: Any) -> Service:
    require_perm(actor, "incidents.change_service")
    if apply_changes(service, fields):
        save_audited(service, actor=actor)
    return service
