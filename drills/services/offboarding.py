"""Offboarding: a leaver's place in planned drills and the draft reports they write go to a
successor (registered with `core.offboarding` in DrillsConfig.ready)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet

from bcp_portal.core.offboarding import require_may_offboard
from bcp_portal.core.people import display_name
from bcp_portal.core.services import save_audited
from bcp_portal.core.typehints import Actor
from drills.models import Drill, DrillReport


def _reason(leaver: User, successor: User) -> str:
    return f"{display_name(leaver)} left: handed over to {display_name(successor)}."


def _planned_drills_of(user: User) -> QuerySet[Drill]:
    return Drill.objects.filter(status=Drill.Status.PLANNED, participants=user)


def planned_drills_held_by(user: User) -> int:
    """How many planned drills `user` takes part in."""
    return _planned_drills_of(user).count()


@transaction.atomic
def planned_drills_hand_over(*, actor: Actor, leaver: User, successor: User) -> int:
    """Put `successor` in `leaver`'s place in every planned drill (history kept: the m2m
    change is a history row naming the handover). Done and cancelled drills keep who was
    there. The drill's time is not a person's edit, so `edited_by_person` is left alone."""
    require_may_offboard(actor)
    moved = 0
    for drill in _planned_drills_of(leaver).select_for_update().order_by("pk"):
        drill._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history, declared by no model
        drill._change_reason = _reason(leaver, successor)  # type: ignore[attr-defined]
        people = [p for p in drill.participants.all() if p.pk != leaver.pk]
        if successor.pk not in {p.pk for p in people}:
            people.append(successor)
        drill.participants.set(people)
        moved += 1
    return moved


def _drafts_of(user: User) -> QuerySet[DrillReport]:
    return DrillReport.objects.filter(status=DrillReport.Status.DRAFT, created_by=user)


def draft_reports_held_by(user: User) -> int:
    """How many draft drill reports `user` writes (started and not yet submitted)."""
    return _drafts_of(user).count()


@transaction.atomic
def draft_reports_hand_over(*, actor: Actor, leaver: User, successor: User) -> int:
    """Make `successor` the author of `leaver`'s draft reports, so someone can finish them.
    Who took part in the drill is a fact of the report and stays as it is."""
    require_may_offboard(actor)
    moved = 0
    for report in _drafts_of(leaver).select_for_update().order_by("pk"):
        report.created_by = successor
        report._change_reason = _reason(leaver, successor)  # type: ignore[attr-defined]  # read by django-simple-history, declared by no model
        save_audited(report, actor=actor)
        moved += 1
    return moved
