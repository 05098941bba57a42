"""Incident types from the versioned reference file, loaded idempotently after every migrate.

Loading adds the types that are missing (by key) and never overwrites a person's edit.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

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
