"""Reads for drill reports, shared by pages, the API and the PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from dateutil.relativedelta import relativedelta
from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from bcp_portal.actions.models import Action
from bcp_portal.core.people import display_name
from bcp_portal.core.typehints import Actor
from drills.models import Drill, DrillIssue, DrillReport, DrillType, RecoveryStep, Result


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


@dataclass
class Change:
    when: dt.datetime
    who: str
    source: str
    what: str
    kind: str
    changes: list[tuple[str, str, str]]
    reason: str = ""


def _label(model: type[models.Model], name: str) -> str:
    try:
        # A reverse relation has no verbose_name: the AttributeError is caught below.
        return str(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    except Exception:  # m2m history fields and removed fields keep their raw name
        return name.replace("_", " ")


def _name_of(obj: Any) -> str:
    return display_name(obj) if hasattr(obj, "get_full_name") else str(obj)


class _Display:
    """Turns stored values into what a reader recognises: names, not ids; local times."""

    def __init__(self) -> None:
        self._cache: dict[tuple[type[models.Model], Any], str] = {}

    def _names(self, model: type[models.Model], ids: list[Any]) -> list[str]:
        missing = [i for i in ids if (model, i) not in self._cache]
        if missing:
            for obj in model._default_manager.filter(pk__in=missing):
                self._cache[(model, obj.pk)] = _name_of(obj)
        return [self._cache.get((model, i), f"#{i} (removed)") for i in ids]

    def __call__(self, model: type[models.Model], name: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        try:
            # A history diff names the model's own fields, never a reverse relation.
            field: models.Field[Any, Any] | None = cast(
                "models.Field[Any, Any]", model._meta.get_field(name)
            )
        except Exception:  # a field the model no longer has: show what was stored
            field = None
        if field is not None and field.many_to_many:
            key = cast("models.ManyToManyField[Any, Any]", field).m2m_reverse_field_name()
            ids = [row.get(key) if isinstance(row, dict) else row for row in value]
            # A relation's target: a model class once the apps are loaded.
            related = cast(type[models.Model], field.related_model)
            return ", ".join(sorted(self._names(related, ids))) or "—"
        if field is not None and field.is_relation:
            related = cast(type[models.Model], field.related_model)
            return self._names(related, [value])[0]
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        return str(value)[:200]


def _changes_of(
    history_qs: QuerySet[Any], describe: Callable[[Any], str], display: _Display
) -> list[Change]:
    records = list(history_qs.select_related("history_user").order_by("history_date", "history_id"))
    result = []
    previous_by_id: dict[Any, Any] = {}
    for record in records:
        before = previous_by_id.get(record.id)
        previous_by_id[record.id] = record
        model = record.instance_type
        diffs: list[tuple[str, str, str]] = []
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before, excluded_fields=["updated_at"])
            for change in delta.changes:
                diffs.append(
                    (
                        _label(model, change.field),
                        display(model, change.field, change.old),
                        display(model, change.field, change.new),
                    )
                )
            if not diffs and not record.history_change_reason:
                continue
        result.append(
            Change(
                when=record.history_date,
                who=_name_of(record.history_user) if record.history_user else "system",
                source=record.history_source,
                what=describe(record),
                kind={"+": "added", "~": "changed", "-": "removed"}[record.history_type],
                changes=diffs,
                reason=record.history_change_reason or "",
            )
        )
    return result


def report_history(report: DrillReport) -> list[Change]:
    """Who changed what on the report and its steps, issues and actions, newest first."""
    display = _Display()
    changes = _changes_of(DrillReport.history.filter(id=report.pk), lambda r: "Report", display)
    changes += _changes_of(
        RecoveryStep.history.filter(report_id=report.pk),
        lambda r: f"Step {r.order}: {r.description[:50]}",
        display,
    )
    changes += _changes_of(
        DrillIssue.history.filter(report_id=report.pk),
        lambda r: f"Issue: {r.description[:50]}",
        display,
    )
    changes += _changes_of(
        Action.history.filter(id__in=report.action_links.values("action_id")),
        lambda r: f"Action: {r.title[:50]}",
        display,
    )
    return sorted(changes, key=lambda c: c.when, reverse=True)


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


def planned_vs_done(*, today: dt.date, quarters: int = 4) -> list[tuple[str, int, int]]:
    """(quarter label, drills planned, drills done) for the last `quarters` quarters.

    One query: a pair of filtered counts per quarter.
    """
    first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    starts = [first - relativedelta(months=3 * back) for back in reversed(range(quarters))]
    counts: dict[str, Count] = {}
    for index, start in enumerate(starts):
        in_quarter = Q(
            starts_at__date__gte=start, starts_at__date__lt=start + relativedelta(months=3)
        )
        counts[f"planned{index}"] = Count("pk", filter=in_quarter)
        counts[f"done{index}"] = Count("pk", filter=in_quarter & Q(status=Drill.Status.DONE))
    totals = Drill.objects.exclude(status=Drill.Status.CANCELLED).aggregate(**counts)
    return [
        (f"{start.year} Q{(start.month - 1) // 3 + 1}", totals[f"planned{i}"], totals[f"done{i}"])
        for i, start in enumerate(starts)
    ]
