"""Incidents for tests: made through the lifecycle service, as the pages make them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from incidents.models import Incident, IncidentType
from incidents.services.lifecycle import incident_declare


def incident_type(key: str = "database-outage") -> IncidentType:
    return IncidentType.objects.get(key=key)


def declare(
    actor,
    *,
    title: str = "Primary database down",
    type_key: str = "database-outage",
    detected_at: datetime | None = None,
    **fields: Any,
) -> Incident:
    return incident_declare(
        actor=actor,
        title=title,
        incident_type=incident_type(type_key),
        detected_at=detected_at or timezone.now(),
        **fields,
    )
