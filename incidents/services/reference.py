"""Incident types from the versioned reference file, loaded idempotently after every migrate.

Loading adds the types that are missing (by key) and never overwrites a person's edit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from bcp_portal.core.roles import require_perm
from bcp_portal.core.services import apply_changes, save_audited
from bcp_portal.core.typehints import Actor
from incidents.models import IncidentType

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "data" / "incident_types.json"


def incident_types_load(*, using: str = "default", path: Path = REFERENCE_FILE) -> int:
    """Create the missing incident types; how many were created."""
    data = json.loads(path.read_text())
    existing = set(IncidentType.objects.using(using).values_list("key", flat=True))
    created = 0
    with transaction.atomic(using=using):
        for entry in data["types"]:
            if entry["key"] in existing:
                continue
            incident_type = IncidentType(
                key=entry["key"],
                name=entry["name"],
                description=entry.get("description", ""),
                expected_rto_minutes=entry.get("expected_rto_minutes"),
                runbook_section=entry.get("runbook_section", ""),
                runbook_heading=entry.get("runbook_heading", ""),
                is_partial_degradation=entry.get("is_partial_degradation", False),
            )
            incident_type.clean_fields()
            incident_type.save(using=using)
            created += 1
    return created


TYPE_EDITABLE_FIELDS = (
    "name",
    "description",
    "expected_rto_minutes",
    "runbook_section",
    "runbook_heading",
    "is_partial_degradation",
    "is_active",
)


@transaction.atomic
def incident_type_update(
    *, actor: Actor, incident_type: IncidentType, **fields: Any
) -> IncidentType:
    """Edit a type (the SRE Lead); the loader never overwrites it afterwards (it adds by key)."""
    require_perm(actor, "incidents.change_incidenttype")
    unknown = set(fields) - set(TYPE_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown incident type fields: {sorted(unknown)}")
    incident_type = IncidentType.objects.select_for_update().get(pk=incident_type.pk)
    if apply_changes(incident_type, fields):
        save_audited(incident_type, actor=actor)
    return incident_type


MATRIX_FILE = Path(__file__).resolve().parent.parent / "data" / "communication_matrix.json"


def communication_matrix_load(*, using: str = "default", path: Path = MATRIX_FILE) -> int:
    """Create the matrix rows whose severity is missing; how many were created. A row that
    exists is left as it is, whatever the file says (a person may have edited it)."""
    from django.contrib.auth.models import Group

    from incidents.models import CommunicationRule

    data = json.loads(path.read_text())
    existing = set(CommunicationRule.objects.using(using).values_list("severity", flat=True))
    created = 0
    with transaction.atomic(using=using):
        for entry in data["rules"]:
            if entry["severity"] in existing:
                continue
            rule = CommunicationRule(
                severity=entry["severity"],
                notify_within_minutes=entry["notify_within_minutes"],
                executive_contacts=entry.get("executive_contacts", False),
                channels=entry.get("channels", []),
                page_on_call=entry.get("page_on_call", True),
            )
            rule.full_clean()
            rule.save(using=using)
            rule.roles.set(Group.objects.using(using).filter(name__in=entry.get("roles", [])))
            created += 1
    return created
