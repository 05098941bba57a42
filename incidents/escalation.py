"""Escalation of an incident along the communication matrix and the on-call chain.

The lifecycle calls these three entry points inside its transaction; they add outbox rows
and escalation state, never send inline. (Filled in by the escalation work of issue #10.)
"""

from __future__ import annotations

from incidents.models import Incident


def incident_escalation_start(*, incident: Incident) -> None:
    """A declared incident: notify the matrix's recipients now, page the on-call primary."""


def incident_escalation_raise(*, incident: Incident, previous: str) -> None:
    """The severity was raised: re-evaluate the chain for the new severity."""


def incident_escalation_stop(*, incident: Incident, reason: str) -> None:
    """Someone acknowledged or the response started: stop paging further steps."""
