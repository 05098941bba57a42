"""Reads shared by drill pages, the API, reports and the dashboard.

Every list selects its related rows up front, so a page of 2 drills and a page of 30 cost
the same number of queries. Local dates (quarters, calendar days) are the organisation's
for filters and the viewer's own for the month grid.
"""

from __future__ import annotations

import calendar as pycalendar
import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.contrib.auth.models import User
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.utils import timezone

from bcp_portal.catalogue.selectors import organisation_zone
from bcp_portal.core import roles
from bcp_portal.core.dates import format_day
from bcp_portal.core.links import detail_url
from bcp_portal.core.panels import Panel, panel
from bcp_portal.core.typehints import Actor
from drills.models import (
    CalendarFeedToken,
    Drill,
    DrillQuerySet,
    DrillReport,
    DrillSchedule,
)

QUARTER_RE = re.compile(r"^(?P<year>\d{4})-Q(?P<quarter>[1-4])$", re.ASCII)
DUE_SOON = timedelta(days=14)
PANEL_ROWS = 8
# Where `drill_list` puts each drill's participants (a list, in the relation's order).
PARTICIPANT_LIST = "participant_list"
# The statuses a list can filter by: the stored ones plus "overdue" (planned, two days past).
STATUS_FILTERS = [*Drill.Status.choices, ("overdue", "Overdue")]


def _with_result(qs: DrillQuerySet) -> DrillQuerySet:
    """`result`: the submitted report's overall result, '' while there is none."""
    return qs.annotate(
        result=Case(
            When(
                report__status=DrillReport.Status.SUBMITTED,
                then=F("report__overall_result"),
            ),
            default=Value(""),
            output_field=CharField(),
        )
    )


def drill_result(drill: Drill) -> str:
    """The result of a drill loaded without the annotation (one query for its report)."""
    if hasattr(drill, "result"):
        return drill.result
    report = DrillReport.objects.filter(drill=drill, status=DrillReport.Status.SUBMITTED).first()
    return report.overall_result if report else ""


def quarter_bounds(quarter: str, tz: zoneinfo.ZoneInfo) -> tuple[datetime, datetime] | None:
    """'2027-Q1' to its first instant and the next quarter's, in `tz`; None if malformed."""
    match = QUARTER_RE.match(quarter or "")
    if not match:
        return None
    year, number = int(match["year"]), int(match["quarter"])
    start = datetime(year, 3 * number - 2, 1, tzinfo=tz)
    end = (
        datetime(year + 1, 1, 1, tzinfo=tz)
        if number == 4
        else datetime(year, 3 * number + 1, 1, tzinfo=tz)
    )
    return start, end


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def drill_list(
    *,
    user: Actor,
    drill_type: str = "",
    status: str = "",
    result: str = "",
    quarter: str = "",
    participant: int | str | None = None,
    search: str = "",
    now: datetime | None = None,
) -> QuerySet[Drill]:
    """Drills the user may see, filtered (see `filter_drills`), latest first."""
    if not user.has_perm("drills.view_drill"):
        return Drill.objects.none()
    # The report's result comes as an annotation (`_with_result`): lists do not load the
    # report rows themselves. Participants come as a plain list (PARTICIPANT_LIST), not a
    # related manager and queryset built per drill.
    qs = _with_result(
        Drill.objects.select_related("drill_type").prefetch_related(
            Prefetch("participants", to_attr=PARTICIPANT_LIST)
        )
    )
    qs = filter_drills(
        qs,
        user=user,
        drill_type=drill_type,
        status=status,
        result=result,
        quarter=quarter,
        participant=participant,
        search=search,
        now=now,
    )
    return qs.order_by("-starts_at", "-pk")


def filter_drills(
    qs: DrillQuerySet,
    *,
    user: Actor,
    drill_type: str = "",
    status: str = "",
    result: str = "",
    quarter: str = "",
    participant: int | str | None = None,
    search: str = "",
    now: datetime | None = None,
) -> DrillQuerySet:
    """Validated filters (`drills.filters.DrillFilterSet` parses them): `drill_type` a type
    key, `status` one of STATUS_FILTERS, `participant` a user id or "me", `quarter` like
    "2027-Q1" in the organisation's time zone."""
    now = now or timezone.now()
    if drill_type:
        qs = qs.filter(drill_type__key=drill_type)
    if status == "overdue":
        qs = qs.overdue(now)
    elif status:
        qs = qs.filter(status=status)
    if result:
        qs = qs.filter(report__status=DrillReport.Status.SUBMITTED, report__overall_result=result)
    if quarter:
        bounds = quarter_bounds(quarter, organisation_zone())
        qs = qs.filter(starts_at__gte=bounds[0], starts_at__lt=bounds[1]) if bounds else qs.none()
    if participant:
        qs = qs.filter(participants=user.pk if participant == "me" else participant)
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(scenario__icontains=search)
            | Q(drill_type__name__icontains=search)
            | Q(participant_teams__icontains=search)
        )
    return qs


def drill_detail(*, user: Actor, pk: int) -> Drill | None:
    """One drill with its report (the page links to it)."""
    return drill_list(user=user).select_related("report").filter(pk=pk).first()


def drill_counts_by_type(
    qs: QuerySet[Drill], *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Planned versus done (and cancelled, overdue) per drill type, in one query.

    The list's filters never join more than one row per drill (the participant filter is one
    person, the report is one-to-one), so plain counts suffice: no DISTINCT sort.
    """
    now = now or timezone.now()
    planned = Q(status=Drill.Status.PLANNED)
    rows = (
        qs.order_by()
        .values("drill_type__key", "drill_type__name")
        .annotate(
            planned=Count("pk", filter=planned),
            done=Count("pk", filter=Q(status=Drill.Status.DONE)),
            cancelled=Count("pk", filter=Q(status=Drill.Status.CANCELLED)),
            overdue=Count("pk", filter=DrillQuerySet.overdue_q(now)),
        )
        .order_by("drill_type__name")
    )
    return [
        {
            "key": row["drill_type__key"],
            "name": row["drill_type__name"],
            "planned": row["planned"],
            "done": row["done"],
            "cancelled": row["cancelled"],
            "overdue": row["overdue"],
        }
        for row in rows
    ]


def drill_quarters(*, around: date, before: int = 4, after: int = 2) -> list[str]:
    """Quarter choices for a filter: a few before and after the one holding `around`."""
    index = around.year * 4 + (around.month - 1) // 3
    return [f"{i // 4}-Q{i % 4 + 1}" for i in range(index + after, index - before - 1, -1)]


def participant_choices() -> QuerySet[User]:
    """People who can take part in a drill: active accounts holding a role."""
    return roles.role_holders()


# --- Month view ----------------------------------------------------------------------------


@dataclass
class CalendarChip:
    """One drill on a day of the month grid, as its chip shows it (`{{ drill|chip }}`,
    drills/templatetags/drill_calendar.py): computed here, printed in one filter call."""

    url: str
    title: str
    type_name: str
    time: str  # "HH:MM" in the grid's zone
    state: str  # planned, done, cancelled, or overdue (a planned drill past its time)
    state_label: str  # "planned", "done", "cancelled", "overdue"


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    is_today: bool
    label: str  # the day in the reader's date format
    drills: list[CalendarChip] = field(default_factory=list)  # as their chips show them


def calendar_month(
    *, user: Actor, year: int, month: int, tz: zoneinfo.ZoneInfo, now: datetime | None = None
) -> list[list[CalendarDay]]:
    """Weeks (Monday first) of the month's grid, each day with its drills in `tz`."""
    now = now or timezone.now()
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    today = now.astimezone(tz).date()
    days = {
        day: CalendarDay(
            day=day, in_month=day.month == month, is_today=day == today, label=format_day(day)
        )
        for week in weeks
        for day in week
    }
    if not user.has_perm("drills.view_drill"):
        return [[days[day] for day in week] for week in weeks]
    # Only what a day's chip shows (title, type, time, status), as plain rows: no model
    # instances, participants, report or result. Overdue is `Drill.objects`' rule, computed
    # by the database.
    rows = (
        Drill.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .annotate(overdue=ExpressionWrapper(DrillQuerySet.overdue_q(now), BooleanField()))
        .order_by("starts_at", "pk")
        .values_list("pk", "title", "drill_type__name", "starts_at", "status", "overdue")
    )
    labels = dict(Drill.Status.choices)
    for pk, title, type_name, starts_at, status, overdue in rows:
        local = starts_at.astimezone(tz)
        days[local.date()].drills.append(
            CalendarChip(
                url=detail_url("drills:drill-detail", pk),
                title=title,
                type_name=type_name,
                time=f"{local:%H:%M}",
                state="overdue" if overdue else status,
                state_label="overdue" if overdue else labels[status].lower(),
            )
        )
    return [[days[day] for day in week] for week in weeks]


# --- Schedules and feeds -------------------------------------------------------------------


def schedule_list(*, user: Actor) -> QuerySet[DrillSchedule]:
    if not user.has_perm("drills.view_drillschedule"):
        return DrillSchedule.objects.none()
    return DrillSchedule.objects.select_related("drill_type").order_by(
        "drill_type__name", "cadence", "week_of_month", "pk"
    )


def calendar_token_list(*, user: Actor) -> QuerySet[CalendarFeedToken]:
    """The user's own feed tokens, newest first (revoked ones too, marked as such)."""
    # A signed-in user: feed pages log in.
    return CalendarFeedToken.objects.filter(user=cast(User, user)).order_by("-created_at", "-pk")


def calendar_token_lookup(raw: str) -> CalendarFeedToken | None:
    """The live token a feed URL carries, or None (unknown, revoked, owner gone or barred)."""
    if not raw:
        return None
    token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=CalendarFeedToken.hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active or not token.user.has_perm("drills.view_drill"):
        return None
    return token


def feed_drills(*, token: CalendarFeedToken, now: datetime | None = None) -> QuerySet[Drill]:
    """A feed's drills: a year back and everything ahead, mine or all I may see.

    "Mine" is what the user is reminded of: drills they take part in, and for people in the
    SRE role the drills nobody is assigned to yet.
    """
    now = now or timezone.now()
    qs = drill_list(user=token.user).filter(starts_at__gte=now - timedelta(days=365))
    if token.scope == CalendarFeedToken.Scope.MINE:
        qs = qs.filter(_reminded_of(token.user)).distinct()
    return qs.order_by("starts_at", "pk")


def _reminded_of(user: Actor) -> Q:
    mine = Q(participants=user)
    if roles.has_role(user, roles.SRE):
        mine |= Q(participants__isnull=True)
    return mine


# --- Dashboard -----------------------------------------------------------------------------


@panel(title="My drills", shown_to=lambda user: user.has_perm("drills.view_drill"))
def my_drills_panel(user: Actor) -> Panel | None:
    """Dashboard: drills due in the next 14 days that the user is reminded of, and overdue ones.

    Due: drills the user takes part in, and drills with nobody assigned for people in the
    SRE role (they get those reminders). Overdue: the user's own; the SRE Lead sees all.
    """
    now = timezone.now()
    mine = _reminded_of(user)
    # Only what the panel shows of a drill: its title, time and link.
    base = Drill.objects.filter(status=Drill.Status.PLANNED).only("pk", "title", "starts_at")
    due = list(
        base.filter(mine, starts_at__gt=now, starts_at__lte=now + DUE_SOON)
        .distinct()
        .order_by("starts_at", "pk")[:PANEL_ROWS]
    )
    # `Drill.objects`' own rule, as the drill list this panel links to applies it: a planned
    # drill has no submitted report (submitting one marks the drill done), so the count
    # matches that list and reads only the planned drills' index.
    overdue_qs = base.overdue(now)
    if not roles.has_role(user, roles.SRE_LEAD):
        # One row per drill: a person takes part in a drill at most once.
        overdue_qs = overdue_qs.filter(participants=user)
    # The latest first: they are the ones a report can still be written for from memory.
    # Each row carries how many there are (COUNT(*) OVER (), counted before the LIMIT): the
    # rows and the count in one read.
    overdue = list(
        overdue_qs.annotate(total=Window(Count("*"))).order_by("-starts_at", "-pk")[:PANEL_ROWS]
    )
    overdue_count = overdue[0].total if overdue else 0
    return Panel(
        "My drills",
        "drills/dashboard_panel.html",
        {
            "due": due,
            "overdue": overdue,
            "overdue_count": overdue_count,
            "overdue_mine_only": not roles.has_role(user, roles.SRE_LEAD),
            "days": DUE_SOON.days,
        },
    )
