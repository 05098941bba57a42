from __future__ import annotations

from datetime import date
from typing import cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from bcp_portal.actions import sources
from bcp_portal.actions.models import Action
from bcp_portal.core.history import Change, field_changes, newest_first
from bcp_portal.core.panels import Panel, panel
from bcp_portal.core.typehints import Actor

# --- The action tracker -----------------------------------------------------------------

# A status filter beyond the statuses themselves: everything not yet finished.
ACTIVE = "active"
MY_ACTIONS_PANEL_SIZE = 8
# The statuses a list can filter by: "not finished" and the stored ones.
# A proposal (an action typed into a draft report) is not in the tracker: no filter offers it.
STATUS_FILTERS = [
    (ACTIVE, "Not finished"),
    *((value, label) for value, label in Action.Status.choices if value in Action.LIVE_STATUSES),
]


# Unfinished first, then by due date (none last), then id: the expression of the indexes
# `action_list_order_idx` and `action_owner_order_idx`, so a list reads an index in order.
LIST_ORDER = (
    Case(When(status__in=Action.OPEN_STATUSES, then=Value(0)), default=Value(1)),
    F("due_date").asc(nulls_last=True),
    "pk",
)


def action_list(
    *,
    user: Actor,
    mine: bool = False,
    status: str = "",
    priority: str = "",
    owner: int | str | None = None,
    overdue: bool = False,
    source: str = "",
    search: str = "",
    today: date | None = None,
) -> QuerySet[Action]:
    """Actions the user may see, filtered (see `filter_actions`); unfinished first, then by
    due date."""
    if not user.has_perm("actions.view_action"):
        return Action.objects.none()
    # Proposals of draft reports are not in the tracker until their report is submitted.
    qs = (
        Action.objects.filter(status__in=Action.LIVE_STATUSES)
        .select_related("owner", *sources.select_related_paths())
        .only(*sources.list_only_paths())
    )
    qs = filter_actions(
        qs,
        user=user,
        mine=mine,
        status=status,
        priority=priority,
        owner=owner,
        overdue=overdue,
        source=source,
        search=search,
        today=today,
    )
    return qs.order_by(*LIST_ORDER)


def filter_actions(
    qs: QuerySet[Action],
    *,
    user: Actor,
    mine: bool = False,
    status: str = "",
    priority: str = "",
    owner: int | str | None = None,
    overdue: bool = False,
    source: str = "",
    search: str = "",
    today: date | None = None,
) -> QuerySet[Action]:
    """Validated filters (`bcp_portal.actions.filters.ActionFilterSet` parses them): `status`
    a status or ACTIVE, `owner` a user id or "none" for actions nobody owns, `source` a
    registered source kind."""
    today = today or timezone.localdate()
    if mine:
        # Lists are for signed-in people (pages log in, the API authenticates).
        qs = qs.filter(owner=cast(User, user))
    if status == ACTIVE:
        qs = qs.filter(status__in=Action.OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if priority:
        qs = qs.filter(priority=priority)
    if owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif owner:
        qs = qs.filter(owner_id=owner)  # type: ignore[misc]  # an id: "none" is handled above
    if overdue:
        qs = qs.filter(status__in=Action.OPEN_STATUSES, due_date__lt=today)
    if source:
        qs = qs.filter(source_kind=source)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(description__icontains=search))
    return qs


def source_filters() -> list[tuple[str, str]]:
    """The source kinds a list can filter by, from the registry."""
    return [(source.kind, source.plural) for source in sources.all_sources()]


def action_owners() -> QuerySet[User]:
    """People who own at least one action in the tracker: the choices of the owner filter."""
    # EXISTS per user (an index probe on the owner column), not DISTINCT over every action.
    return (
        get_user_model()
        .objects.filter(
            Exists(Action.objects.filter(owner=OuterRef("pk"), status__in=Action.LIVE_STATUSES))
        )
        .order_by("first_name", "last_name", "username")
    )


def action_history(action: Action) -> list[Change]:
    """Who changed what on an action, newest first, in the same queries whatever its length."""
    return newest_first(
        field_changes(action.history.all(), excluded=["created_at", "updated_at", "completed_at"])
    )


@panel(title="My actions", shown_to=lambda user: user.has_perm("actions.view_action"))
def my_actions_panel(user: Actor) -> Panel | None:
    """Dashboard: the user's open actions, overdue first."""
    today = timezone.localdate()
    # A user with the view permission is a signed-in one.
    qs = Action.objects.filter(owner=cast(User, user), status__in=Action.OPEN_STATUSES).only(
        "title", "due_date", "status"
    )
    # By due date, none last: the overdue ones (due before today) come first. In the list's
    # order (every row here is unfinished), so the owner's index is read in order.
    actions = list(qs.order_by(*LIST_ORDER)[: MY_ACTIONS_PANEL_SIZE + 1])
    more = len(actions) > MY_ACTIONS_PANEL_SIZE
    return Panel(
        "My actions",
        "dashboard/actions_panel.html",
        {"actions": actions[:MY_ACTIONS_PANEL_SIZE], "more": more, "today": today},
    )
