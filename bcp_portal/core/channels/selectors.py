"""Reads of the channels: one's inbox and its unread count, targets, failing deliveries."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from bcp_portal.core.models import InboxItem, NotificationTarget, OutboxMessage, UserProfile
from bcp_portal.core.panels import Panel, panel
from bcp_portal.core.typehints import Actor

# The navigation bar shows "99+" beyond this: counting stops there, whatever the inbox holds.
UNREAD_COUNT_CAP = 99
FAILING_PERMISSION = "core.view_outboxmessage"
_UNREAD_SQL = (
    "SELECT COUNT(*) FROM (SELECT 1 FROM {inbox} unread WHERE unread.user_id = {profile}.user_id"
    " AND unread.read_at IS NULL LIMIT %s) capped"
)


def inbox_list(*, user: Actor, unread: bool | None = None) -> QuerySet[InboxItem]:
    qs = InboxItem.objects.filter(user=cast(User, user)).only(
        "id", "user_id", "subject", "body", "url", "created_at", "read_at"
    )
    if unread is not None:
        qs = qs.filter(read_at__isnull=unread)
    return qs.order_by("-created_at", "-id")


def load_profile_with_unread(user: User) -> None:
    """Read the user's profile with their unread count in the same query.

    Every signed-in request reads the profile anyway (its time zone and date format, in
    `UserTimezoneMiddleware`): carrying the capped count in that query gives the navigation
    bar its number at no query of its own. Nothing happens when the profile is already read;
    a user without one has the miss cached, as Django's own descriptor would.
    """
    if "profile" in user._state.fields_cache:
        return
    # A count that stops at the cap (the ORM cannot count a sliced subquery), answered by
    # the partial index `core_inbox_unread`. Only table names from the models and a bound
    # number go in: no user input reaches this SQL.
    unread = RawSQL(  # noqa: S611  # nosec B611
        _UNREAD_SQL.format(inbox=InboxItem._meta.db_table, profile=UserProfile._meta.db_table),
        (UNREAD_COUNT_CAP + 1,),
    )
    profile = UserProfile.objects.annotate(unread_inbox=unread).filter(user=user).first()
    if profile is not None:
        UserProfile.user.field.set_cached_value(profile, user)
    # Cached even when missing, as Django's descriptor does, so `user.profile` asks no more.
    # request.user is a lazy proxy: the model's own descriptor, not type(user)'s.
    UserProfile.user.field.remote_field.set_cached_value(user, profile)


def unread_count(user: Actor) -> int:
    """Unread items, at most UNREAD_COUNT_CAP + 1: read with the profile when the request's
    middleware loaded it so (`load_profile_with_unread`), else one query over the index."""
    if not user.is_authenticated:
        return 0
    loaded = user._state.fields_cache.get("profile")
    if loaded is not None and hasattr(loaded, "unread_inbox"):
        return int(loaded.unread_inbox)
    return (
        InboxItem.objects.filter(user=user, read_at__isnull=True)
        .values("pk")[: UNREAD_COUNT_CAP + 1]
        .count()
    )


def target_list() -> QuerySet[NotificationTarget]:
    # The secret is never read for a page.
    return NotificationTarget.objects.defer("secret").order_by("name")


def failing(qs: QuerySet[OutboxMessage]) -> QuerySet[OutboxMessage]:
    """Given up on, or waiting for a retry after a failed attempt (every channel failed)."""
    return qs.filter(
        Q(status=OutboxMessage.Status.FAILED)
        | Q(status=OutboxMessage.Status.PENDING, attempts__gt=0)
    )


def failing_deliveries() -> QuerySet[OutboxMessage]:
    return (
        failing(OutboxMessage.objects.all())
        .select_related("to_user", "to_role", "to_contact")
        .only(
            "id",
            "subject",
            "dedup_key",
            "channels",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "created_at",
            "to_user__username",
            "to_user__first_name",
            "to_user__last_name",
            "to_role__name",
            "to_contact__name",
            "to_contact__organisation",
        )
        .order_by("-created_at", "-id")
    )


@panel(title="Failing deliveries", shown_to=lambda user: user.has_perm(FAILING_PERMISSION))
def failing_deliveries_panel(user: Actor) -> Panel | None:
    """The SRE Lead sees how many notifications could not be delivered on any channel."""
    count = failing(OutboxMessage.objects.all()).values("pk")[:1000].count()
    return Panel("Failing deliveries", "dashboard/failing_deliveries_panel.html", {"count": count})
