"""Writes for the service catalogue and the action tracker (incidents join later)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bcp_portal.models import OutboxMessage
from bcp_portal.outbox import outbox_add
from bcp_portal.roles import MANAGERS, SRE_LEAD, has_role, require_perm
from bcp_portal.services import apply_changes, save_audited
from compliance.selectors import organisation_profile
from drills.models import DrillReport
from incidents.models import Action, PostMortem, Service

# What a person may set on a catalogue entry: the form and the API both offer exactly these.
EDITABLE_FIELDS = (
    "name",
    "kind",
    "description",
    "owner_team",
    "business_impact",
    "recovery_priority",
    "region",
    "data_category",
    "backup_frequency",
    "provided_service",
    "fallback",
    "expected_recovery_minutes",
    "rto_target_minutes",
    "rto_max_minutes",
    "rpo_target_minutes",
    "rpo_max_minutes",
    "is_active",
)
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


# --- The action tracker -----------------------------------------------------------------
#
# Who may change an action: the `change_action` permission is needed for any edit, and on
# top of it an action belongs to its owner. Its owner, or a manager (SRE Lead, Engineering
# Manager, CTO), may edit it or move its status; anyone else, including an SRE holding
# `change_action`, may not touch someone else's action, so a due date cannot be pushed or
# an action closed behind its owner's back. An action without an owner is the SRE Lead's
# to triage (its reminders go there), so only managers may change it.

ACTION_EDITABLE_FIELDS = ("title", "description", "owner", "due_date", "priority")

# The state machine: status -> the statuses it may move to.
ACTION_MOVES: dict[str, tuple[str, ...]] = {
    Action.Status.OPEN: (Action.Status.IN_PROGRESS, Action.Status.DONE, Action.Status.CANCELLED),
    Action.Status.IN_PROGRESS: (Action.Status.OPEN, Action.Status.DONE, Action.Status.CANCELLED),
    Action.Status.DONE: (Action.Status.OPEN,),
    Action.Status.CANCELLED: (Action.Status.OPEN,),
}

DUE_SOON_DAYS = 3
ESCALATE_AFTER_DAYS = 7


def action_may_change(user, action: Action) -> bool:
    """The rule above, for services to enforce and pages to decide which buttons to show."""
    if not (user.is_authenticated and user.has_perm("incidents.change_action")):
        return False
    if action.owner_id is not None and action.owner_id == user.pk:
        return True
    return has_role(user, *MANAGERS)


def _require_may_change(user, action: Action) -> None:
    require_perm(user, "incidents.change_action")
    if not action_may_change(user, action):
        raise PermissionDenied(
            "Only the action's owner, the SRE Lead, an Engineering Manager or the CTO "
            "may change this action."
        )


@transaction.atomic
def action_create(
    *,
    actor,
    title: str,
    drill_report: DrillReport | None = None,
    postmortem: PostMortem | None = None,
    owner=None,
    due_date: date | None = None,
    priority: str = Action.Priority.MEDIUM,
    description: str = "",
) -> Action:
    """Record an action found by a drill or a post-mortem (exactly one of them)."""
    require_perm(actor, "incidents.add_action")
    if (drill_report is None) == (postmortem is None):
        raise ValidationError(
            {"drill_report": "An action needs exactly one source: a drill report or a post-mortem."}
        )
    action = Action(
        title=title,
        description=description,
        owner=owner,
        due_date=due_date,
        priority=priority,
        drill_report=drill_report,
        postmortem=postmortem,
    )
    return save_audited(action, actor=actor)


@transaction.atomic
def action_update(*, actor, action: Action, **fields: Any) -> Action:
    """Change an action's details; its status moves only through `action_transition`."""
    unknown = sorted(set(fields) - set(ACTION_EDITABLE_FIELDS))
    if unknown:
        raise TypeError(
            f"action_update cannot change {', '.join(unknown)}; "
            "the status moves only through action_transition."
        )
    _require_may_change(actor, action)
    if apply_changes(action, fields):
        save_audited(action, actor=actor)
    return action


@transaction.atomic
def action_transition(*, actor, action: Action, status: str) -> Action:
    """The one function that moves an action's status."""
    _require_may_change(actor, action)
    if status not in Action.Status.values:
        raise ValidationError({"status": f"“{status}” is not a status of an action."})
    current = Action.Status(action.status)
    target = Action.Status(status)
    allowed = ACTION_MOVES[current]
    if target not in allowed:
        options = " or ".join(f"“{Action.Status(s).label}”" for s in allowed)
        raise ValidationError(
            {
                "status": f"An action that is “{current.label}” cannot move to "
                f"“{target.label}”; it can move to {options}."
            }
        )
    action.status = target
    if target == Action.Status.DONE:
        action.completed_at = timezone.now()
    else:
        # Reopening (or cancelling) clears the completion: it is no longer done.
        action.completed_at = None
    return save_audited(action, actor=actor)


@transaction.atomic
def action_reminders_send(*, now: datetime | None = None) -> int:
    """Remind owners of open actions due soon or overdue; return how many messages were added.

    Windows plus the outbox key as the done marker, never an exact date: a run after a day
    the worker missed sends what became due since, a second run sends nothing, and a changed
    due date (a new key) arms the reminders again. An overdue action gets no "due soon".
    """
    now = now or timezone.now()
    today = timezone.localdate(now, timezone.get_default_timezone())
    candidates = (
        Action.objects.filter(
            status__in=Action.OPEN_STATUSES,
            due_date__isnull=False,
            due_date__lte=today + timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("owner")
        .order_by("due_date", "pk")
    )
    planned: list[tuple[str, dict[str, Any]]] = []
    for action in candidates:
        planned.extend(_action_reminders(action, today=today))
    keys = [key for key, _ in planned]
    sent = set(OutboxMessage.objects.filter(dedup_key__in=keys).values_list("dedup_key", flat=True))
    added = 0
    for key, message in planned:
        if key not in sent:
            outbox_add(key=key, **message)
            added += 1
    return added


def _action_reminders(action: Action, *, today: date) -> list[tuple[str, dict[str, Any]]]:
    """The (key, message) pairs an action is due for on `today`."""
    due = action.due_date
    url = action.get_absolute_url()
    owner = action.owner if action.owner is not None and action.owner.is_active else None
    # An action nobody owns (or whose owner left) is the SRE Lead's to chase.
    to = {"to_user": owner} if owner is not None else {"to_role": SRE_LEAD}
    unowned = "" if owner is not None else " It has no owner: please assign one."
    if due >= today:
        days = (due - today).days
        when = "today" if days == 0 else f"in {days} day{'s' if days > 1 else ''}"
        return [
            (
                f"action-due-soon:{action.pk}:{due}",
                {
                    "subject": f"Action due {when}: {action.title}",
                    "body": f"The action “{action.title}” is due on {due:%Y-%m-%d}.{unowned}",
                    "url": url,
                    **to,
                },
            )
        ]
    late = (today - due).days
    reminders = [
        (
            f"action-overdue:{action.pk}:{due}",
            {
                "subject": f"Action overdue: {action.title}",
                "body": f"The action “{action.title}” was due on {due:%Y-%m-%d} and is "
                f"still {action.get_status_display().lower()}.{unowned}",
                "url": url,
                **to,
            },
        )
    ]
    if late >= ESCALATE_AFTER_DAYS:
        owner_name = (owner.get_full_name() or owner.get_username()) if owner else "nobody"
        reminders.append(
            (
                f"action-escalated:{action.pk}:{due}",
                {
                    "subject": f"Action {late} days overdue: {action.title}",
                    "body": f"The action “{action.title}”, owned by {owner_name}, was due on "
                    f"{due:%Y-%m-%d} and is {late} days overdue.",
                    "url": url,
                    "to_role": SRE_LEAD,
                },
            )
        )
    return reminders
