"""Notification clocks as the engine would have stored them, for the desk's tests.

The desk reads `Obligation` rows whatever wrote them (compliance.notifications syncs the
engine's answers); these build valid ones directly, so the pages are tested apart from
the engine.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from compliance.models_notifications import IncidentFact, Obligation, Submission
from tests.conftest import PERSONA_ROLES
from tests.factories import UserFactory
from tests.incidents.factories import declare

_stages = itertools.count(1)


def incident(**fields: Any):
    """An incident declared by an SRE colleague (personal data involved by default)."""
    fields.setdefault("involves_personal_data", True)
    # Detected a day ago: a submission is never dated before detection.
    fields.setdefault("detected_at", timezone.now() - timedelta(days=1))
    return declare(UserFactory(roles=[PERSONA_ROLES["sre"]]), **fields)


def obligation(
    incident=None,
    *,
    due_in: timedelta | None = timedelta(hours=40),
    now: datetime | None = None,
    **fields: Any,
) -> Obligation:
    """An open GDPR supervisory-authority clock due `due_in` from now (None: no due time)."""
    incident = incident if incident is not None else globals()["incident"]()
    now = now or timezone.now()
    n = next(_stages)
    values: dict[str, Any] = {
        "regime_key": "eu_gdpr_art33_art34",
        "stage_key": f"supervisory_authority_{n}",
        "regime_name": "GDPR personal data breach notification",
        "stage_name": "Notification to supervisory authority",
        "notify": "Competent supervisory authority",
        "counting": "elapsed_hours",
        "period": 72,
        "anchor": "controller_awareness",
        "anchor_at": now - timedelta(hours=32),
        "due_at": None if due_in is None else now + due_in,
        "local_zone": "Europe/Paris",
        "rule": "Without undue delay and, where feasible, not later than 72 hours.",
        "basis": "72 elapsed hours from controller awareness.",
        "reason": "Personal data breach likely to result in a risk.",
    }
    values.update(fields)
    return Obligation.objects.create(incident=incident, **values)


def fact(incident, *, kind: str = "controller_awareness", by=None, **fields: Any) -> IncidentFact:
    values: dict[str, Any] = {
        "occurred_at": timezone.now() - timedelta(hours=2),
        "time_zone": "Europe/Paris",
        "reason": "The SOC told the DPO.",
        "evidence": "TICKET-42",
        "recorded_at": timezone.now(),
    }
    values.update(fields)
    recorded_by = by or UserFactory(roles=[PERSONA_ROLES["dpo"]])
    return IncidentFact.objects.create(
        incident=incident, kind=kind, recorded_by=recorded_by, **values
    )


def submission(obligation: Obligation, *, by=None, **fields: Any) -> Submission:
    values: dict[str, Any] = {
        "submitted_at": timezone.now() - timedelta(hours=1),
        "recipient": "CNIL",
        "reference_number": "CNIL-2026-0042",
        "content": "Nature of the breach: ...",
    }
    values.update(fields)
    submitted_by = by or UserFactory(roles=[PERSONA_ROLES["dpo"]])
    return Submission.objects.create(obligation=obligation, submitted_by=submitted_by, **values)
