"""Writes for the action tracker: create, edit, move status, remind."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bcp_portal.actions import sources
from bcp_portal.actions.models import Action
from bcp_portal.catalogue.selectors import organisation_today
from bcp_portal.core.offboarding import require_may_offboard
from bcp_portal.core.outbox import outbox_add_new
from bcp_portal.core.people import display_name
from bcp_portal.core.roles import MANAGERS, SRE_LEAD, has_role, holds_role, require_perm
from bcp_portal.core.services import apply_changes, save_audited
from bcp_portal.core.typehints import Actor

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
# A proposal has no moves here: it goes live (open) only when its source is accepted
# (`actions_accept`, called when a drill report is submitted).
ACTION_MOVES: dict[str, tuple[str, ...]] = {
    Action.Status.PROPOSED: (),
    Action.Status.OPEN: (Action.Status.IN_PROGRESS, Action.Status.DONE, Action.Status.CANCELLED),
    Action.Status.IN_PROGRESS: (Action.Status.OPEN, Action.Status.DONE, Action.Status.CANCELLED),
    Action.Status.DONE: (Action.Status.OPEN,),
    Action.Status.CANCELLED: (Action.Status.OPEN,),
}

DUE_SOON_DAYS = 3
ESCALATE_AFTER_DAYS = 7


def action_may_change(user: Actor, action: Action) -> bool:
    """The rule above, for services to enforce and pages to decide which buttons to show."""
    if not (user.is_authenticated and user.has_perm("actions.change_action")):
        return False
    if action.owner_id is not None and action.owner_id == user.pk:
        return True
    return has_role(user, *MANAGERS)


OWNER_WITHOUT_ROLE = (
    "{name} holds no role in the portal, so they could not see or act on this action: "
    "choose an owner who does."
)


def _check_owner(owner: User | None) -> None:
    """A new owner holds a role (`roles.holds_role`): the tracker is out of reach without."""
    if owner is not None and not holds_role(owner):
        raise ValidationError({"owner": OWNER_WITHOUT_ROLE.format(name=display_name(owner))})


def _require_may_change(user: Actor, action: Action) -> None:
    if action.status == Action.Status.PROPOSED:
        # A proposal is part of its draft: whoever may propose actions may shape it.
        require_perm(user, "actions.add_action")
        return
    require_perm(user, "actions.change_action")
    if not action_may_change(user, action):
        raise PermissionDenied(
            "Only the action's owner, the SRE Lead, an Engineering Manager or the CTO "
            "may change this action."
        )


@transaction.atomic
def action_create(
    *,
    actor: Actor,
    title: str,
    source: Any,
    owner: User | None = None,
    due_date: date | None = None,
    priority: str = Action.Priority.MEDIUM,
    description: str = "",
) -> Action:
    """Record an action found by `source` (a drill report, a post-mortem: any registered row).

    The action and its link row are written together, so the action has exactly one source.
    Added to a source that is still a draft, however it arrives (a page, the API), it is a
    proposal until the source is submitted (`actions_accept`).
    """
    kind = sources.for_object(source)
    if kind is not None:
        # Lock and re-read the source row: a submission running at the same time either
        # finishes first (and `refuse_add` sees it locked) or waits for this proposal.
        source = type(source)._default_manager.select_for_update().get(pk=source.pk)
    draft = kind is not None and kind.is_draft(source)
    return _create(
        actor=actor,
        status=Action.Status.PROPOSED if draft else Action.Status.OPEN,
        title=title,
        source=source,
        owner=owner,
        due_date=due_date,
        priority=priority,
        description=description,
    )


@transaction.atomic
def actions_accept(*, actor: Actor, source: Any) -> int:
    """Open every proposal of `source` (its draft was submitted); return how many."""
    require_perm(actor, "actions.add_action")
    kind = sources.for_object(source)
    if kind is None:
        raise ValidationError({"source": "An action needs a source: a drill report or similar."})
    proposals = sources.link_rows(kind, [source]).filter(status=Action.Status.PROPOSED)
    accepted = 0
    for action in proposals.select_for_update().order_by("pk"):
        action.status = Action.Status.OPEN
        action._change_reason = f"Accepted: {kind.describe(source)} was submitted."  # type: ignore[attr-defined]  # read by django-simple-history, declared by no model
        save_audited(action, actor=actor)
        accepted += 1
    return accepted


@transaction.atomic
def action_withdraw(*, actor: Actor, action: Action) -> None:
    """Remove a proposal from its draft: it never went live, so it goes (history keeps it)."""
    if action.status != Action.Status.PROPOSED:
        raise ValidationError(
            {"status": "Only a proposed action can be withdrawn; cancel a live one instead."}
        )
    require_perm(actor, "actions.add_action")
    action._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history
    action.delete()


def _create(
    *,
    actor: Actor,
    status: str,
    title: str,
    source: Any,
    owner: User | None,
    due_date: date | None,
    priority: str,
    description: str,
) -> Action:
    require_perm(actor, "actions.add_action")
    kind = sources.for_object(source)
    if kind is None:
        raise ValidationError({"source": "An action needs a source: a drill report or similar."})
    reason = kind.refuse_add(actor, source)
    if reason:
        raise ValidationError({"source": reason})
    _check_owner(owner)
    action = Action(
        title=title,
        description=description,
        owner=owner,
        due_date=due_date,
        priority=priority,
        status=status,
        source_kind=kind.kind,
    )
    save_audited(action, actor=actor)
    save_audited(kind.link_model(action=action, **{kind.source_field: source}), actor=actor)
    return action


@transaction.atomic
def action_update(*, actor: Actor, action: Action, **fields: Any) -> Action:
    """Change an action's details; its status moves only through `action_transition`."""
    unknown = sorted(set(fields) - set(ACTION_EDITABLE_FIELDS))
    if unknown:
        raise TypeError(
            f"action_update cannot change {', '.join(unknown)}; "
            "the status moves only through action_transition."
        )
    _require_may_change(actor, action)
    if "owner" in fields and fields["owner"] != action.owner:
        # Only a new owner is checked: one who left keeps the action until it is handed on.
        _check_owner(fields["owner"])
    if apply_changes(action, fields):
        save_audited(action, actor=actor)
    return action


# Closing someone else's action needs a word of evidence: it is kept in the history.
COMMENT_MAX_LENGTH = 2000
COMMENT_NEEDED = (
    "Say why you are closing an action someone else owns: the comment is kept in its history."
)


def action_needs_comment(user: Actor, action: Action, status: str) -> bool:
    """Completing or cancelling an action `user` does not own asks for a comment."""
    closing = status in (Action.Status.DONE, Action.Status.CANCELLED)
    return closing and (action.owner_id is None or action.owner_id != user.pk)


@transaction.atomic
def action_transition(*, actor: Actor, action: Action, status: str, comment: str = "") -> Action:
    """The one function that moves an action's status.

    Completing or cancelling an action someone else owns (or nobody owns) needs `comment`,
    the evidence; any comment given is stored as the history row's change reason.
    """
    _require_may_change(actor, action)
    if status not in Action.Status.values:
        raise ValidationError({"status": f"“{status}” is not a status of an action."})
    current = Action.Status(action.status)
    target = Action.Status(status)
    if current == Action.Status.PROPOSED:
        raise ValidationError(
            {
                "status": "This action is proposed in a draft report; it goes into the "
                "tracker (open) when the report is submitted."
            }
        )
    allowed = ACTION_MOVES[current]
    if target not in allowed:
        options = " or ".join(f"“{Action.Status(s).label}”" for s in allowed)
        raise ValidationError(
            {
                "status": f"An action that is “{current.label}” cannot move to "
                f"“{target.label}”; it can move to {options}."
            }
        )
    comment = (comment or "").strip()
    if not comment and action_needs_comment(actor, action, target):
        raise ValidationError({"comment": COMMENT_NEEDED})
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": f"Keep the comment to {COMMENT_MAX_LENGTH} characters or fewer."}
        )
    action.status = target
    if comment:
        action._change_reason = comment  # type: ignore[attr-defined]  # read by django-simple-history, declared by no model
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
    today = organisation_today(now)
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
    return outbox_add_new(planned)


def _action_reminders(action: Action, *, today: date) -> list[tuple[str, dict[str, Any]]]:
    """The (key, message) pairs an action is due for on `today`."""
    # The query in action_reminders_send takes only actions with a due date.
    due = cast(date, action.due_date)
    url = action.get_absolute_url()
    owner = action.owner if action.owner is not None and action.owner.is_active else None
    # An action nobody owns (or whose owner left) is the SRE Lead's to chase.
    to: dict[str, Any] = {"to_user": owner} if owner is not None else {"to_role": SRE_LEAD}
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
        owner_name = display_name(owner, "nobody")
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


# --- Offboarding: a leaver's actions go to a successor ------------------------------------

# What a leaver still holds: live actions not finished, and proposals in drafts.
HANDOVER_STATUSES = (Action.Status.PROPOSED, *Action.OPEN_STATUSES)


def actions_held_by(user: User) -> int:
    """How many unfinished actions (proposals included) `user` owns."""
    return Action.objects.filter(owner=user, status__in=HANDOVER_STATUSES).count()


@transaction.atomic
def actions_hand_over(*, actor: Actor, leaver: User, successor: User) -> int:
    """Give `leaver`'s unfinished actions to `successor` (offboarding, `core.offboarding`);
    each keeps its history, with the handover as the change reason."""
    require_may_offboard(actor)
    reason = f"{display_name(leaver)} left: handed over to {display_name(successor)}."
    moved = 0
    held = Action.objects.filter(owner=leaver, status__in=HANDOVER_STATUSES)
    for action in held.select_for_update().order_by("pk"):
        action.owner = successor
        action._change_reason = reason  # type: ignore[attr-defined]  # read by django-simple-history, declared by no model
        save_audited(action, actor=actor)
        moved += 1
    return moved
