"""Reads for drill reports, shared by pages, the API and the PDF."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from drills.models import DrillIssue, DrillReport, RecoveryStep
from incidents.models import Action


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
    *, user, status: str = "", result: str = "", drill_type: str = "", search: str = ""
) -> QuerySet[DrillReport]:
    qs = DrillReport.objects.select_related("drill", "drill__drill_type", "created_by")
    if status:
        qs = qs.filter(status=status)
    if result:
        qs = qs.filter(overall_result=result)
    if drill_type:
        qs = qs.filter(drill__drill_type__key=drill_type)
    if search:
        qs = qs.filter(scenario__icontains=search) | qs.filter(summary__icontains=search)
    return qs.order_by("-drill_date", "-pk")


@dataclass
class Change:
    when: object
    who: str
    source: str
    what: str
    kind: str
    changes: list[tuple[str, str, str]]
    reason: str = ""


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # m2m history fields and removed fields keep their raw name
        return name


def _changes_of(history_qs, describe) -> list[Change]:
    records = list(history_qs.select_related("history_user").order_by("history_date", "history_id"))
    result = []
    previous_by_id: dict = {}
    for record in records:
        before = previous_by_id.get(record.id)
        diffs: list[tuple[str, str, str]] = []
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before, excluded_fields=["updated_at"])
            for change in delta.changes:
                diffs.append(
                    (
                        _label(record.instance_type, change.field),
                        _show(change.old),
                        _show(change.new),
                    )
                )
            if not diffs and not record.history_change_reason:
                previous_by_id[record.id] = record
                continue
        previous_by_id[record.id] = record
        result.append(
            Change(
                when=record.history_date,
                who=str(record.history_user.get_full_name() or record.history_user)
                if record.history_user
                else "system",
                source=record.history_source,
                what=describe(record),
                kind={"+": "added", "~": "changed", "-": "removed"}[record.history_type],
                changes=diffs,
                reason=record.history_change_reason or "",
            )
        )
    return result


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)[:200]


def report_history(report: DrillReport) -> list[Change]:
    """Who changed what on the report and its steps, issues and actions, newest first."""
    changes = _changes_of(DrillReport.history.filter(id=report.pk), lambda r: "Report")
    changes += _changes_of(
        RecoveryStep.history.filter(report_id=report.pk),
        lambda r: f"Step {r.order}: {r.description[:50]}",
    )
    changes += _changes_of(
        DrillIssue.history.filter(report_id=report.pk), lambda r: f"Issue: {r.description[:50]}"
    )
    changes += _changes_of(
        Action.history.filter(drill_report_id=report.pk), lambda r: f"Action: {r.title[:50]}"
    )
    return sorted(changes, key=lambda c: c.when, reverse=True)
