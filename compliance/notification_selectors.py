"""Reads of the notification clocks shared by the API, the filters and the reminders.

The desk's pages have their own module (`desk_selectors`); the rules both use live here:
what "overdue" and "provisional" mean, and how a list of obligations is filtered.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from bcp_portal.catalogue.selectors import organisation_zone
from compliance.models_notifications import IncidentFact, Obligation, Submission


def overdue_q(now: datetime | None = None) -> Q:
    """The one rule of "overdue": open, with a due time that has passed."""
    return Q(status=Obligation.Status.OPEN, due_at__lt=now or timezone.now())


def provisional_q() -> Q:
    """Open and running from detection because a fact it needs is not recorded."""
    return Q(status=Obligation.Status.OPEN, provisional=True)


def obligation_list() -> QuerySet[Obligation]:
    """Every obligation with its incident's reference and title read with it."""
    return Obligation.objects.select_related("incident").order_by("due_at", "id")


def filter_obligations(
    qs: QuerySet[Obligation],
    *,
    status: str = "",
    regime: str = "",
    incident: int | None = None,
    entity: str = "",
    overdue: bool | None = None,
    provisional: bool | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    search: str = "",
    now: datetime | None = None,
) -> QuerySet[Obligation]:
    """Validated filters (`compliance.notification_filters.ObligationFilterSet` parses them).

    `due_from` / `due_to` are days in the organisation's time zone, both included.
    """
    if status:
        qs = qs.filter(status=status)
    if regime:
        qs = qs.filter(regime_key=regime)
    if incident:
        qs = qs.filter(incident_id=incident)
    if entity:
        qs = qs.filter(entity=entity)
    if overdue is not None:
        qs = qs.filter(overdue_q(now)) if overdue else qs.exclude(overdue_q(now))
    if provisional is not None:
        qs = qs.filter(provisional_q()) if provisional else qs.exclude(provisional_q())
    if due_from or due_to:
        zone = organisation_zone()
        if due_from:
            qs = qs.filter(due_at__gte=datetime.combine(due_from, time(), zone))
        if due_to:
            qs = qs.filter(due_at__lt=datetime.combine(due_to + timedelta(days=1), time(), zone))
    if search:
        qs = qs.filter(
            Q(regime_name__icontains=search)
            | Q(stage_name__icontains=search)
            | Q(notify__icontains=search)
            | Q(incident__reference__icontains=search)
            | Q(incident__title__icontains=search)
        )
    return qs


def is_overdue(obligation: Obligation, now: dt.datetime) -> bool:
    """`overdue_q` (the one rule of "overdue") for a row in hand."""
    return (
        obligation.status == Obligation.Status.OPEN
        and obligation.due_at is not None
        and obligation.due_at < now
    )


def facts_of(incident_id: int) -> QuerySet[IncidentFact]:
    return (
        IncidentFact.objects.filter(incident_id=incident_id)
        .select_related("recorded_by")
        .order_by("kind", "region")
    )


def submission_list() -> QuerySet[Submission]:
    """Submissions with their obligation, incident, author and authority (the file unread)."""
    return (
        Submission.objects.select_related("obligation__incident", "submitted_by", "authority")
        .defer("attachment")
        .order_by("-submitted_at", "-id")
    )
