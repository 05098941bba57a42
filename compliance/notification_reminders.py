"""Reminders of the notification clocks, sent through the outbox by periodic tasks.

Deadlines: an open obligation with a due time and a start (its anchor) has a window; when
`DEADLINE_REMINDER_PERCENTS` of it (default 50, 75 and 90 %) have passed, and again once it is
overdue, the DPO and Legal Counsel roles are reminded. Each reminder's key names the
obligation, the point, the due time and the role: the key is the "done" marker, so a run that
comes late sends the latest point reached (not every point it missed), a run twice sends
nothing new, and a due time that moves (a fact changed) reminds again.

Provisional clocks: an open obligation running from detection because a fact it needs is not
recorded alerts the DPO once per day (the organisation's) until the fact is recorded.

The sweep: incidents changed in the last hour are evaluated again, in case the task their
change enqueued was not published (a dead broker); and so is every outage still running (not
restored, not a partial degradation, at least one affected service), so that a rule on a
longer outage starts its clock within one sweep of the threshold being crossed. Evaluating is
idempotent: a running outage evaluated again writes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from bcp_portal.catalogue.selectors import organisation_today
from bcp_portal.core.outbox import outbox_add_new
from bcp_portal.core.roles import DPO, LEGAL_COUNSEL
from compliance.models_notifications import Obligation
from compliance.notification_cases import organisation_now
from compliance.notifications import obligations_evaluate
from compliance.regime_loader import engine_regimes
from incidents.models import Incident, IncidentService

OVERDUE = "overdue"
REMINDED_ROLES = {DPO: "dpo", LEGAL_COUNSEL: "legal"}
SWEEP_WINDOW = timedelta(hours=1)


def reminder_percents() -> list[int]:
    """The configured points, each 1 to 99, in order (others ignored)."""
    return sorted({int(p) for p in settings.DEADLINE_REMINDER_PERCENTS if 0 < int(p) < 100})


def point_reached(obligation: Obligation, now: datetime, percents: list[int]) -> str | None:
    """The latest reminder point of `obligation` that has passed at `now`: "overdue", a
    percentage as text, or None (none yet, or no window to measure)."""
    due, start = obligation.due_at, obligation.anchor_at
    if due is None:
        return None
    if now >= due:
        return OVERDUE
    if start is None or start >= due:
        return None
    passed = (now - start) / (due - start) * 100
    reached = [p for p in percents if passed >= p]
    return str(reached[-1]) if reached else None


def _left(obligation: Obligation, now: datetime) -> str:
    assert obligation.due_at is not None
    seconds = int((obligation.due_at - now).total_seconds())
    if seconds < 0:
        return f"overdue by {_hours(-seconds)}"
    return f"{_hours(seconds)} left"


def _hours(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours} h {rest // 60} min"


def _deadline_message(
    obligation: Obligation, point: str, now: datetime, role: str
) -> dict[str, Any]:
    incident = obligation.incident
    assert obligation.due_at is not None
    what = "OVERDUE" if point == OVERDUE else f"{point} % of the time gone"
    return {
        "to_role": role,
        "subject": f"Notification {what}: {obligation} ({incident.reference})",
        "body": (
            f"{incident.reference} {incident.title}\n{obligation.regime_name}, "
            f"{obligation.stage_name}{obligation.unverified_note}: "
            f"notify {obligation.notify or 'as the rule says'}.\n"
            f"Due {obligation.due_at:%Y-%m-%d %H:%M} UTC ({_left(obligation, now)}).\n"
            + (
                "Provisional: it runs from detection because a fact is not recorded.\n"
                if obligation.provisional
                else ""
            )
            + "Record the submission on the incident once it is made."
        ),
        "url": incident.get_absolute_url(),
    }


def _provisional_message(obligation: Obligation) -> dict[str, Any]:
    incident = obligation.incident
    return {
        "to_role": DPO,
        "subject": f"Provisional clock: {obligation} ({incident.reference})",
        "body": (
            f"{incident.reference} {incident.title}\n{obligation.regime_name}, "
            f"{obligation.stage_name}{obligation.unverified_note} runs from detection "
            "because the fact it runs from "
            f"({obligation.anchor.replace('_', ' ')}) is not recorded. "
            "Record it on the incident so the clock runs from the right time.\n"
            + (f"Due {obligation.due_at:%Y-%m-%d %H:%M} UTC." if obligation.due_at else "")
        ),
        "url": incident.get_absolute_url(),
    }


@transaction.atomic
def deadline_reminders_send(*, now: datetime | None = None) -> int:
    """Queue every reminder the open clocks call for at `now` and have not had; how many."""
    now = now or timezone.now()
    percents = reminder_percents()
    today = organisation_today(now)
    planned: list[tuple[str, dict[str, Any]]] = []
    open_rows = (
        Obligation.objects.filter(status=Obligation.Status.OPEN)
        .exclude(due_at__isnull=True, provisional=False)
        .select_related("incident")
        .only(
            "pk",
            "regime_name",
            "stage_name",
            "notify",
            "anchor",
            "anchor_at",
            "due_at",
            "provisional",
            "verified",
            "incident__reference",
            "incident__title",
        )
        .order_by("due_at", "pk")
    )
    for obligation in open_rows:
        point = point_reached(obligation, now, percents)
        if point is not None:
            assert obligation.due_at is not None
            due = obligation.due_at.isoformat()
            for role, slug in REMINDED_ROLES.items():
                key = f"deadline:{obligation.pk}:{point}:{due}:{slug}"
                planned.append((key, _deadline_message(obligation, point, now, role)))
        if obligation.provisional:
            key = f"provisional:{obligation.pk}:{today.isoformat()}"
            planned.append((key, _provisional_message(obligation)))
    return outbox_add_new(planned)


def obligations_sweep(*, now: datetime | None = None) -> int:
    """Evaluate again the incidents changed within SWEEP_WINDOW and the outages still running
    (one query picks them); how many were evaluated."""
    now = now or timezone.now()
    running_outage = (
        Q(restored_at__isnull=True)
        & Q(incident_type__is_partial_degradation=False)
        & Exists(IncidentService.objects.filter(incident=OuterRef("pk")))
    )
    ids = list(
        Incident.objects.filter(Q(updated_at__gte=now - SWEEP_WINDOW) | running_outage)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    organisation, in_force = organisation_now(), engine_regimes()
    for pk in ids:
        obligations_evaluate(incident=Incident(pk=pk), organisation=organisation, in_force=in_force)
    return len(ids)


def open_incidents_evaluate() -> int:
    """Every incident not closed, or with an open obligation, evaluated again (after a legal
    entity changes: which regimes apply may have changed)."""
    ids = set(Incident.objects.open().values_list("pk", flat=True))
    ids |= set(
        Obligation.objects.filter(status=Obligation.Status.OPEN).values_list(
            "incident_id", flat=True
        )
    )
    organisation, in_force = organisation_now(), engine_regimes()
    for pk in sorted(ids):
        obligations_evaluate(incident=Incident(pk=pk), organisation=organisation, in_force=in_force)
    return len(ids)
