"""Reads for drill reports, shared by pages, the API and the PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.text import Truncator

from bcp_portal.actions.models import Action
from bcp_portal.actions.selectors import ACTIVE, action_list
from bcp_portal.catalogue.models import Service
from bcp_portal.core.history import Change, Display, field_changes, newest_first
from bcp_portal.core.typehints import Actor
from drills.models import (
    DRILL_REPORT_SOURCE,
    Drill,
    DrillIssue,
    DrillReport,
    DrillType,
    RecoveryStep,
    Result,
)


def report_detail_queryset() -> QuerySet[DrillReport]:
    """One report with everything its page, API and PDF show, in a fixed number of queries."""
    return DrillReport.objects.select_related(
        "drill", "drill__drill_type", "created_by", "submitted_by"
    ).prefetch_related(
        "services",
        "participants",
        Prefetch("steps", queryset=RecoveryStep.objects.order_by("order", "pk")),
        Prefetch("issues", queryset=DrillIssue.objects.order_by("pk")),
        Prefetch("actions", queryset=Action.objects.select_related("owner").order_by("pk")),
    )


# The API's nested lists, prefetched into plain lists (`to_attr`): a list of 50 reports with
# five related lists each would otherwise build 250 related managers and querysets just to
# hold what the five prefetch queries already read.
API_LISTS = {
    "steps": "step_list",
    "issues": "issue_list",
    "actions": "action_list",
    "services": "service_list",
    "participants": "participant_list",
}


def report_api_queryset() -> QuerySet[DrillReport]:
    """Reports with what the API shows of each, the related rows as plain lists (API_LISTS),
    in a fixed number of queries. The API names related rows by id, so only ids (and each
    action's own fields) are read."""
    return DrillReport.objects.prefetch_related(
        Prefetch("services", queryset=Service.objects.only("pk"), to_attr=API_LISTS["services"]),
        Prefetch(
            "participants",
            queryset=User.objects.only("pk"),
            to_attr=API_LISTS["participants"],
        ),
        Prefetch(
            "steps",
            queryset=RecoveryStep.objects.order_by("order", "pk"),
            to_attr=API_LISTS["steps"],
        ),
        Prefetch("issues", queryset=DrillIssue.objects.order_by("pk"), to_attr=API_LISTS["issues"]),
        Prefetch(
            "actions",
            queryset=Action.objects.only(
                "pk", "title", "owner_id", "due_date", "priority", "status"
            ).order_by("pk"),
            to_attr=API_LISTS["actions"],
        ),
    )


def report_list(
    *, user: Actor, status: str = "", result: str = "", drill_type: str = "", search: str = ""
) -> QuerySet[DrillReport]:
    qs = DrillReport.objects.select_related("drill", "drill__drill_type", "created_by")
    qs = filter_reports(qs, status=status, result=result, drill_type=drill_type, search=search)
    return qs.order_by("-drill_date", "-pk")


def filter_reports(
    qs: QuerySet[DrillReport],
    *,
    status: str = "",
    result: str = "",
    drill_type: str = "",
    search: str = "",
) -> QuerySet[DrillReport]:
    """Validated filters (`drills.filters.DrillReportFilterSet` parses them)."""
    if status:
        qs = qs.filter(status=status)
    if result:
        qs = qs.filter(overall_result=result)
    if drill_type:
        qs = qs.filter(drill__drill_type__key=drill_type)
    if search:
        qs = qs.filter(Q(scenario__icontains=search) | Q(summary__icontains=search))
    return qs


def _short(text: str) -> str:
    return Truncator(text).words(8)


def report_history(report: DrillReport) -> list[Change]:
    """Who changed what on the report and its steps, issues and actions, newest first."""
    display = Display()
    changes = field_changes(
        DrillReport.history.filter(id=report.pk), describe=lambda r: "Report", display=display
    )
    changes += field_changes(
        RecoveryStep.history.filter(report_id=report.pk),
        describe=lambda r: f"Step {r.order}: {_short(r.description)}",
        display=display,
    )
    changes += field_changes(
        DrillIssue.history.filter(report_id=report.pk),
        describe=lambda r: f"Issue: {_short(r.description)}",
        display=display,
    )
    changes += field_changes(
        Action.history.filter(id__in=report.action_links.values("action_id")),
        describe=lambda r: f"Action: {_short(r.title)}",
        display=display,
    )
    return newest_first(changes)


def drill_history(drill: Drill, *, limit: int = 30) -> list[Change]:
    """Who changed what on a planned drill (the newest `limit` changes), newest first."""
    return newest_first(field_changes(drill.history.all(), limit=limit))


@dataclass
class TypeRate:
    name: str
    passed: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.passed / self.total) if self.total else 0


def pass_rates(*, today: dt.date, months: int = 12) -> list[TypeRate]:
    """Per drill type: submitted reports in the last `months` months and how many passed."""

    since = today - relativedelta(months=months)
    rows = (
        DrillType.objects.filter(is_active=True)
        .annotate(
            total=Count(
                "drills__report",
                filter=Q(
                    drills__report__status=DrillReport.Status.SUBMITTED,
                    drills__report__drill_date__gt=since,
                    drills__report__drill_date__lte=today,
                ),
            ),
            passed=Count(
                "drills__report",
                filter=Q(
                    drills__report__status=DrillReport.Status.SUBMITTED,
                    drills__report__overall_result=Result.PASS,
                    drills__report__drill_date__gt=since,
                    drills__report__drill_date__lte=today,
                ),
            ),
        )
        .order_by("name")
    )
    return [TypeRate(t.name, t.passed, t.total) for t in rows]


@dataclass
class QuarterCount:
    """One quarter of the programme: drills whose time has come (`due`: planned or done,
    start passed), how many of them are done, and those still ahead (`upcoming`), which are
    not yet "not done"."""

    label: str
    due: int
    done: int
    upcoming: int

    def as_row(self) -> tuple[str, int, int, int]:
        return (self.label, self.due, self.done, self.upcoming)


def planned_vs_done(
    *, today: dt.date, now: dt.datetime | None = None, quarters: int = 4
) -> list[QuarterCount]:
    """Planned (due) versus done for the last `quarters` quarters up to the one of `today`.

    A drill counts as due once its start has passed (at `now`); a later one is upcoming,
    so the current quarter does not count next month's drills as missed. Cancelled drills
    count nowhere. One query: filtered counts per quarter.
    """
    now = now or timezone.now()
    first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    starts = [first - relativedelta(months=3 * back) for back in reversed(range(quarters))]
    counts: dict[str, Count] = {}
    for index, start in enumerate(starts):
        in_quarter = Q(
            starts_at__date__gte=start, starts_at__date__lt=start + relativedelta(months=3)
        )
        counts[f"due{index}"] = Count("pk", filter=in_quarter & Q(starts_at__lte=now))
        counts[f"done{index}"] = Count(
            "pk", filter=in_quarter & Q(starts_at__lte=now, status=Drill.Status.DONE)
        )
        counts[f"upcoming{index}"] = Count("pk", filter=in_quarter & Q(starts_at__gt=now))
    # The quarters' own filters decide; this range (a day wider on each side, whatever the
    # zone) lets the database read only those quarters' drills through the starts_at index.
    margin = dt.timedelta(days=1)
    window_start = dt.datetime.combine(starts[0], dt.time(), tzinfo=dt.UTC) - margin
    window_end = (
        dt.datetime.combine(first + relativedelta(months=3), dt.time(), tzinfo=dt.UTC) + margin
    )
    totals = (
        Drill.objects.exclude(status=Drill.Status.CANCELLED)
        .filter(starts_at__gte=window_start, starts_at__lt=window_end)
        .aggregate(**counts)
    )
    return [
        QuarterCount(
            label=f"{start.year} Q{(start.month - 1) // 3 + 1}",
            due=totals[f"due{i}"],
            done=totals[f"done{i}"],
            upcoming=totals[f"upcoming{i}"],
        )
        for i, start in enumerate(starts)
    ]


SUMMARY_LIST_ROWS = 50


def summary_overdue_drills(*, now: dt.datetime | None = None) -> list[Drill]:
    """Planned drills two days past their start with no submitted report, oldest first."""
    now = now or timezone.now()
    return list(
        Drill.objects.overdue(now)
        .exclude(report__status=DrillReport.Status.SUBMITTED)
        .select_related("drill_type")
        .order_by("starts_at", "pk")[:SUMMARY_LIST_ROWS]
    )


def summary_failed_reports(*, today: dt.date, months: int = 12) -> list[DrillReport]:
    """Submitted reports that failed in the last `months` months (as `pass_rates`), latest first."""
    since = today - relativedelta(months=months)
    return list(
        DrillReport.objects.filter(
            status=DrillReport.Status.SUBMITTED,
            overall_result=Result.FAIL,
            drill_date__gt=since,
            drill_date__lte=today,
        )
        .select_related("drill", "drill__drill_type")
        .order_by("-drill_date", "-pk")[:SUMMARY_LIST_ROWS]
    )


def summary_open_actions(*, user: Actor, today: dt.date) -> list[Action]:
    """Unfinished actions from submitted drill reports, through the tracker's own selector
    (so what the user may see and the tracker's order apply): overdue and due soonest first.
    A draft's actions are still proposals of its author and are left out."""
    return list(
        action_list(user=user, status=ACTIVE, source=DRILL_REPORT_SOURCE, today=today)
        .filter(drill_report_link__drill_report__status=DrillReport.Status.SUBMITTED)
        .select_related("drill_report_link__drill_report__drill")[:SUMMARY_LIST_ROWS]
    )
