"""The managers' dashboard overview: the drill programme, its actions and the catalogue.

It combines drills, the action tracker and the service catalogue, so it lives in `drills`
(which may import both; see the import-linter layers). Each function is a dashboard panel
(`bcp_portal.dashboard.PANELS`), shown only to the manager roles (SRE Lead, Engineering
Manager, CTO) and costing a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from bcp_portal.actions.models import Action
from bcp_portal.catalogue.models import Service
from bcp_portal.catalogue.selectors import organisation_today
from bcp_portal.core import charts, roles
from bcp_portal.core.panels import Panel, panel
from bcp_portal.core.typehints import Actor
from drills.models import DrillReport
from drills.report_selectors import planned_vs_done
from drills.selectors import quarter_of

OVERVIEW_ROWS = 8
RTO_RPO_MISS_DAYS = 90

# How long a service may go without a submitted drill report exercising it, by recovery
# priority. The more critical the service, the sooner an untested recovery path goes
# stale (people, runbooks and infrastructure change under it): P0 services are exercised
# every quarter, P1 every half-year and P2 at least once a year.
EXERCISE_PERIOD: dict[str, relativedelta] = {
    Service.Priority.P0: relativedelta(months=3),
    Service.Priority.P1: relativedelta(months=6),
    Service.Priority.P2: relativedelta(months=12),
}
EXERCISE_PERIOD_WORDS = {
    Service.Priority.P0: "a quarter",
    Service.Priority.P1: "six months",
    Service.Priority.P2: "a year",
}


def is_manager(user: Actor) -> bool:
    return roles.has_role(user, *roles.MANAGERS)


def manager_with(user: Actor, perm: str) -> bool:
    """Who sees an overview panel: a manager who may read what it counts."""
    return is_manager(user) and user.has_perm(perm)


@dataclass
class OwnerCount:
    name: str
    count: int
    url: str


@panel(
    title="Overdue actions by owner",
    shown_to=lambda user: manager_with(user, "actions.view_action"),
)
def overdue_actions_panel(user: Actor) -> Panel | None:
    """Overdue actions by owner, each count linking to the tracker's filtered list."""
    # The tracker's own "today" (`filter_actions`), so a count matches the list it opens.
    today = timezone.localdate()
    # Counted per owner id alone (an index-only scan of `action_open_due_idx`, in owner
    # order), then each owner's name read once per group: joining the users first would
    # carry every overdue row through the join and group by the names. The names come in a
    # second annotate() so that Django groups by the owner only, not by the subqueries.
    person = User.objects.filter(pk=OuterRef("owner"))
    rows = (
        Action.objects.filter(status__in=Action.OPEN_STATUSES, due_date__lt=today)
        .values("owner")
        .annotate(n=Count("*"))  # not Count("pk"): the id is not in the index
        .annotate(
            first_name=Subquery(person.values("first_name")),
            last_name=Subquery(person.values("last_name")),
            username=Subquery(person.values("username")),
        )
        .order_by("-n", "first_name", "last_name", "username")
    )
    base = reverse("actions:action-list")
    owners = []
    for row in rows:
        if row["owner"] is None:
            name, owner = "Nobody (unowned)", "none"
        else:
            full = f"{row['first_name']} {row['last_name']}".strip()
            name, owner = full or row["username"], str(row["owner"])
        owners.append(OwnerCount(name, row["n"], f"{base}?overdue=1&owner={owner}"))
    total = sum(o.count for o in owners)
    return Panel(
        "Overdue actions by owner",
        "dashboard/overdue_actions_panel.html",
        {
            "owners": owners[:OVERVIEW_ROWS],
            "more": len(owners) > OVERVIEW_ROWS,
            "total": total,
            "all_url": f"{base}?overdue=1",
            "chart": (
                charts.counts_by_label_chart(
                    [(o.name, o.count) for o in owners[:OVERVIEW_ROWS]],
                    xlabel="Overdue actions",
                )
                if owners
                else ""
            ),
        },
    )


@panel(title="Drills this quarter", shown_to=lambda user: manager_with(user, "drills.view_drill"))
def drills_this_quarter_panel(user: Actor) -> Panel | None:
    """Drills done versus planned in the organisation's current quarter (one query)."""
    today = organisation_today()
    quarter = planned_vs_done(today=today, quarters=1)[0]
    return Panel(
        f"Drills this quarter ({quarter.label})",
        "dashboard/drills_quarter_panel.html",
        {
            "quarter": quarter,
            "missed": quarter.due - quarter.done,
            "percent": round(100 * quarter.done / quarter.due) if quarter.due else None,
            "list_url": f"{reverse('drills:drill-list')}?quarter={quarter_of(today)}",
        },
    )


@panel(
    title="Recent RTO/RPO misses",
    shown_to=lambda user: manager_with(user, "drills.view_drillreport"),
)
def rto_rpo_misses_panel(user: Actor) -> Panel | None:
    """Submitted reports of the last 90 days whose actual RTO or RPO exceeded the target."""
    today = organisation_today()
    missed = Q(rto_actual_minutes__gt=F("rto_target_minutes")) | Q(
        rpo_actual_minutes__gt=F("rpo_target_minutes")
    )
    reports = list(
        DrillReport.objects.filter(
            missed,
            status=DrillReport.Status.SUBMITTED,
            drill_date__gt=today - timedelta(days=RTO_RPO_MISS_DAYS),
            drill_date__lte=today,
        )
        .select_related("drill")
        # What the panel shows: the drill's title, the date and the four figures.
        .only(
            "drill_date",
            "rto_target_minutes",
            "rto_actual_minutes",
            "rpo_target_minutes",
            "rpo_actual_minutes",
            "drill__title",
        )
        .order_by("-drill_date", "-pk")[: OVERVIEW_ROWS + 1]
    )
    return Panel(
        "Recent RTO/RPO misses",
        "dashboard/rto_rpo_misses_panel.html",
        {
            "reports": reports[:OVERVIEW_ROWS],
            "more": len(reports) > OVERVIEW_ROWS,
            "days": RTO_RPO_MISS_DAYS,
        },
    )


@dataclass
class StaleService:
    service: Service
    last_exercised: date | None
    period: str


@panel(
    title="Services not exercised recently",
    shown_to=lambda user: manager_with(user, "catalogue.view_service"),
)
def unexercised_services_panel(user: Actor) -> Panel | None:
    """Active services that no submitted report has exercised within EXERCISE_PERIOD."""
    today = organisation_today()
    stale = Q()
    for priority, period in EXERCISE_PERIOD.items():
        stale |= Q(recovery_priority=priority) & (
            Q(last_exercised__isnull=True) | Q(last_exercised__lte=today - period)
        )
    services = list(
        Service.objects.filter(is_active=True)
        .only("name", "recovery_priority")
        .annotate(
            last_exercised=Max(
                "drill_reports__drill_date",
                filter=Q(drill_reports__status=DrillReport.Status.SUBMITTED),
            )
        )
        .filter(stale)
        .order_by("recovery_priority", F("last_exercised").asc(nulls_first=True), "name")[
            : OVERVIEW_ROWS + 1
        ]
    )
    rows = [
        StaleService(
            s,
            s.last_exercised,  # type: ignore[attr-defined]  # the annotation above
            EXERCISE_PERIOD_WORDS[s.recovery_priority],
        )
        for s in services[:OVERVIEW_ROWS]
    ]
    return Panel(
        "Services not exercised recently",
        "dashboard/unexercised_services_panel.html",
        {
            "rows": rows,
            "more": len(services) > OVERVIEW_ROWS,
            "periods": [
                (priority.label, EXERCISE_PERIOD_WORDS[priority]) for priority in Service.Priority
            ],
        },
    )
