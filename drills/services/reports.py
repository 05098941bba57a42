"""Drill reports: file (start, save, submit), open a revision.

`drill_report_file` is the one way to file a report, for the report page and the API alike:
it starts the report of a drill (or of an unplanned drill it records), saves what is typed
and submits it if asked, in one transaction, and gives one answer to each refusal: the drill
already has a report (DrillReportExists, naming it), the drill was cancelled, the report is
submitted and locked, the drill date is still to come (submission refused).

A draft may be incomplete: saving checks only what is typed (numbers, step times). Submitting
checks the whole template is filled in, then locks the report. A correction opens revision
N+1 of the same report, with a reason, and is submitted again; the history tables keep every
earlier value and who changed it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from bcp_portal.actions.models import Action
from bcp_portal.actions.services import (
    action_create,
    action_transition,
    action_update,
    action_withdraw,
    actions_accept,
)
from bcp_portal.catalogue.models import Service
from bcp_portal.catalogue.selectors import organisation_today, organisation_zone
from bcp_portal.core import limits
from bcp_portal.core.roles import SRE_LEAD, has_role, require_perm
from bcp_portal.core.services import apply_changes, save_audited
from bcp_portal.core.typehints import Actor
from drills.models import Drill, DrillIssue, DrillReport, DrillType, RecoveryStep, Result

REPORT_FIELDS = (
    "drill_date",
    "scenario",
    "other_participants",
    "planned_duration_minutes",
    "actual_duration_minutes",
    "rto_actual_minutes",
    "rpo_actual_minutes",
    "overall_result",
    "summary",
)
STEP_FIELDS = ("description", "started_at", "ended_at", "duration_minutes", "result", "notes")
ISSUE_FIELDS = ("description", "severity")
ACTION_FIELDS = ("title", "owner", "due_date", "priority")


@dataclass
class ReportData:
    """Everything a report form or an API call carries, in one shape.

    `steps`, `issues` and `actions` are lists of dicts; a dict with an `id` updates that
    row, one without adds a row, and rows of the report not listed are removed. Actions added
    to a draft are proposals (`action_create` on a draft source) until the report is submitted;
    an omitted proposal is withdrawn, an omitted live action is cancelled (it lives on in the
    tracker).
    Step order is the list order.
    """

    fields: dict[str, Any] = field(default_factory=dict)
    services: list[Service] | None = None
    participants: list[User] | None = None
    steps: list[dict[str, Any]] | None = None
    issues: list[dict[str, Any]] | None = None
    actions: list[dict[str, Any]] | None = None


REPORT_LOCKED = "This report is submitted and locked. Open a new revision to correct it."
DRILL_CANCELLED = "This drill was cancelled; it takes no report."
DRILL_DATE_AHEAD = "The drill date is in the future: report a drill once it has run."
UNPLANNED_AHEAD = (
    "An unplanned drill is reported once it has happened: give its date, today or earlier. "
    "A drill still to come is planned on the calendar by whoever plans drills."
)
DRILL_NOT_RUN_YET = (
    "This drill has not happened yet: the draft can be prepared, but the report cannot be "
    "submitted until the drill has run."
)


class DrillReportExists(ValidationError):
    """The drill has its report already: a drill takes one; change that one instead."""

    def __init__(self, report: DrillReport) -> None:
        self.report = report
        page = reverse("drills:report-edit", args=[report.pk])
        api = reverse("api:drill-report-detail", args=[report.pk])
        super().__init__(
            {
                "drill": f"This drill already has report {report.document_id} (id {report.pk}); "
                f"change that one instead: {page} in the browser, PATCH {api} over the API."
            },
            code="report_exists",
        )


class DraftSavedNotSubmitted(ValidationError):
    """Submission was refused, and (as asked with `keep_draft`) the draft was kept."""

    def __init__(self, refusal: ValidationError, report: DrillReport) -> None:
        self.report = report
        super().__init__(getattr(refusal, "error_dict", None) or refusal.messages)


@dataclass(frozen=True)
class UnplannedDrill:
    """A drill that was not on the calendar: filing its report records it."""

    drill_type: DrillType
    date: dt.date
    title: str = ""


REPORT_EDITORS_ONLY = (
    "Only the report's author, the drill's participants and the SRE Lead may change this report."
)


def report_may_edit(user: Actor, report: DrillReport) -> bool:
    """Who may save, submit and revise a report: its author, the drill's participants and
    the SRE Lead, each holding the permission to change drill reports. Another SRE reads it
    but does not change what a colleague is about to sign."""
    if not (user.is_authenticated and user.has_perm("drills.change_drillreport")):
        return False
    if report.created_by_id == user.pk or has_role(user, SRE_LEAD):
        return True
    return report.drill.participants.filter(pk=user.pk).exists()


def _require_may_edit(user: Actor, report: DrillReport) -> None:
    require_perm(user, "drills.change_drillreport")
    if not report_may_edit(user, report):
        raise PermissionDenied(REPORT_EDITORS_ONLY)


def report_refuses_action(user: Actor, report: DrillReport) -> str | None:
    """The drill report's `ActionSource.refuse_add`: a submitted report takes no new action.

    Its text and PDF are the record that was signed off; an action found later comes with a
    revision (`drill_report_revise`), where it is a proposal until the report is submitted
    again, so every version of the report and its actions stays in the history.
    """
    if not report.is_locked:
        return None
    revise = reverse("api:drill-report-revise", args=[report.pk])
    return (
        f"{report.document_id} is submitted and locked: a new action comes with a revision. "
        f"Open one (“Open a new revision” on the report's page, or POST {revise} with a "
        "reason), add the action there, and submit the report again."
    )


def _require_editable(report: DrillReport) -> None:
    if report.is_locked:
        raise ValidationError(REPORT_LOCKED, code="report_locked")


def check_reportable(drill: Drill) -> None:
    """Why `drill` takes no new report (DrillReportExists, or cancelled); None if it does."""
    existing = DrillReport.objects.filter(drill=drill).first()
    if existing is not None:
        raise DrillReportExists(existing)
    if drill.status == Drill.Status.CANCELLED:
        raise ValidationError({"drill": DRILL_CANCELLED}, code="drill_cancelled")


def drill_not_yet_run(drill: Drill, now: dt.datetime | None = None) -> bool:
    """The drill is still to come: its report may be drafted but not submitted."""
    return drill.starts_at > (now or timezone.now())


def drill_report_file(
    *,
    actor: Actor,
    drill: Drill | UnplannedDrill | None = None,
    report: DrillReport | None = None,
    data: ReportData | None = None,
    submit: bool = False,
    keep_draft: bool = False,
) -> DrillReport:
    """File a drill report: the page and the API both come here.

    With `drill`, a new report for it (an `UnplannedDrill` is recorded first), refused if
    the drill already has one (DrillReportExists) or was cancelled; with `report`, that
    report's draft, refused once submitted. Then `data` is saved and, with `submit`, the
    report is submitted. All of it is one transaction: any refusal stores nothing, except
    that with `keep_draft` (the page's "Save and submit") a refused submission keeps the
    saved draft and raises DraftSavedNotSubmitted, carrying what is missing.
    """
    if (drill is None) == (report is None):
        raise TypeError("Give either the drill to report on or the report to change.")
    refusal = None
    with transaction.atomic():
        if report is None:
            # `drill` is given: exactly one of drill and report is (checked above).
            report = _start(actor, cast("Drill | UnplannedDrill", drill))
        if data is not None:
            report = drill_report_save(actor=actor, report=report, data=data)
        if submit:
            try:
                with transaction.atomic():
                    report = drill_report_submit(actor=actor, report=report)
            except ValidationError as exc:
                if not keep_draft:
                    raise
                refusal = exc
    if refusal is not None:
        raise DraftSavedNotSubmitted(refusal, report)
    return report


def _start(actor: Actor, drill: Drill | UnplannedDrill) -> DrillReport:
    require_perm(actor, "drills.add_drillreport")
    if isinstance(drill, UnplannedDrill):
        drill = _record_unplanned(actor, drill)
    else:
        # Two filings of one drill at once: the second waits here, then finds the first.
        drill = cast(
            Drill, Drill.objects.select_for_update().select_related("drill_type").get(pk=drill.pk)
        )
    check_reportable(drill)
    report = save_audited(
        DrillReport(
            drill=drill,
            created_by=cast(User, actor),  # require_perm above: a signed-in user
            drill_date=timezone.localtime(drill.starts_at, organisation_zone()).date(),
            scenario=drill.scenario or drill.drill_type.default_scenario,
            planned_duration_minutes=drill.planned_duration_minutes,
        ),
        actor=actor,
    )
    report.participants.set(drill.participants.all())
    return report


def _record_unplanned(actor: Actor, unplanned: UnplannedDrill) -> Drill:
    # A report records a drill that happened; putting one on the calendar ahead is
    # planning, which needs the right to plan drills (else anyone filing reports could).
    if unplanned.date > organisation_today() and not actor.has_perm("drills.add_drill"):
        raise ValidationError({"drill_date": UNPLANNED_AHEAD}, code="unplanned_ahead")
    drill_type = unplanned.drill_type
    starts_at = dt.datetime.combine(unplanned.date, dt.time(10, 0), tzinfo=organisation_zone())
    return save_audited(
        Drill(
            drill_type=drill_type,
            title=unplanned.title or f"{drill_type.name} (unplanned)",
            scenario=drill_type.default_scenario,
            starts_at=starts_at,
            planned_duration_minutes=drill_type.default_duration_minutes,
            participant_teams=drill_type.participant_teams,
        ),
        actor=actor,
    )


def drill_report_start(*, actor: Actor, drill: Drill) -> DrillReport:
    """The drill's report: the existing one, or a new draft prefilled from the drill."""
    try:
        return drill_report_file(actor=actor, drill=drill)
    except DrillReportExists as exc:
        return exc.report


def drill_report_start_unplanned(
    *, actor: Actor, drill_type: DrillType, date: dt.date, title: str = ""
) -> DrillReport:
    """A report for a drill that was not on the calendar: the drill is recorded too."""
    return drill_report_file(
        actor=actor, drill=UnplannedDrill(drill_type=drill_type, date=date, title=title)
    )


def _strictest_targets(services: Iterable[Service]) -> tuple[int | None, int | None]:
    services = list(services)
    if not services:
        return None, None
    return (
        min(s.rto_target_minutes for s in services),
        min(s.rpo_target_minutes for s in services),
    )


@transaction.atomic
def drill_report_save(*, actor: Actor, report: DrillReport, data: ReportData) -> DrillReport:
    """Save what is typed, complete or not. Refused once the report is submitted."""
    report = DrillReport.objects.select_for_update().get(pk=report.pk)
    _require_may_edit(actor, report)
    _require_editable(report)
    check_row_limits(data)
    # Many-to-many changes write history rows too: they carry the same actor.
    report._history_user = actor  # type: ignore[attr-defined]  # read by django-simple-history, declared by no model
    changed = apply_changes(report, {k: v for k, v in data.fields.items() if k in REPORT_FIELDS})
    current = set(report.services.values_list("pk", flat=True))
    if data.services is not None and {s.pk for s in data.services} != current:
        report.services.set(data.services)
        # Targets are a snapshot: they follow the services chosen, not later edits to
        # those services' own targets.
        targets = _strictest_targets(data.services)
        changed += apply_changes(
            report, {"rto_target_minutes": targets[0], "rpo_target_minutes": targets[1]}
        )
    if changed:
        save_audited(report, actor=actor)
    if data.participants is not None:
        report.participants.set(data.participants)
    if data.steps is not None:
        _sync_children(
            actor,
            report.steps.all(),
            data.steps,
            STEP_FIELDS,
            lambda order: RecoveryStep(report=report, order=order),
        )
    if data.issues is not None:
        _sync_children(
            actor,
            report.issues.all(),
            data.issues,
            ISSUE_FIELDS,
            lambda _: DrillIssue(report=report),
        )
    if data.actions is not None:
        _sync_actions(actor, report, data.actions)
    return report


def check_row_limits(data: ReportData) -> None:
    """Refuse a section with more rows than its limit (`bcp_portal.core.limits`)."""
    too_many = {}
    for name, limit in limits.report_section_limits().items():
        rows = getattr(data, name)
        if rows is not None and len(rows) > limit:
            too_many[name] = f"At most {limit} {name} per report (this one has {len(rows)})."
    if too_many:
        raise ValidationError(too_many, code="too_many_rows")


def _sync_children(
    actor: Actor,
    existing_qs: QuerySet[RecoveryStep] | QuerySet[DrillIssue],
    rows: list[dict[str, Any]],
    names: Iterable[str],
    make: Callable[[int], RecoveryStep | DrillIssue],
) -> None:
    # Keyed by id; a row's "id" comes from a form or the API as given.
    existing: dict[Any, RecoveryStep | DrillIssue] = {obj.pk: obj for obj in existing_qs}
    keep = set()
    for position, row in enumerate(rows, start=1):
        obj = existing.get(row.get("id")) if row.get("id") else None
        if obj is None:
            obj = make(position)
        keep.add(obj.pk)
        values: dict[str, Any] = {name: row.get(name) for name in names if name in row}
        values = {
            k: ("" if v is None and k in ("result", "notes", "severity") else v)
            for k, v in values.items()
        }
        if hasattr(obj, "order"):
            values["order"] = position
        if apply_changes(obj, values) or obj.pk is None:
            _save_child(obj, actor, position)
    for pk, obj in existing.items():
        if pk not in keep:
            obj._history_user = actor  # type: ignore[union-attr]  # read by django-simple-history
            obj.delete()


def _save_child(obj: RecoveryStep | DrillIssue, actor: Actor, position: int) -> None:
    try:
        save_audited(obj, actor=actor)
    except ValidationError as exc:
        label = "Step" if isinstance(obj, RecoveryStep) else "Issue"
        raise ValidationError(
            {f"{label.lower()}s": [f"{label} {position}: {m}" for m in exc.messages]}
        ) from exc


def _sync_actions(actor: Actor, report: DrillReport, rows: list[dict[str, Any]]) -> None:
    """Actions typed into a draft are proposals: they go into the tracker (open) when the
    report is submitted. A proposal taken out again is withdrawn; a live action (from an
    earlier submission of this report) taken out is cancelled, with the reason."""
    existing: dict[Any, Action] = {a.pk: a for a in report.actions.select_related("owner")}
    keep = set()
    for number, row in enumerate(rows, start=1):
        values: dict[str, Any] = {name: row.get(name) for name in ACTION_FIELDS if name in row}
        action = existing.get(row.get("id")) if row.get("id") else None
        if action is None:
            # The report is a draft here, so the tracker records a proposal (is_draft).
            action = action_create(actor=actor, source=report, **values)
        elif any(getattr(action, name) != value for name, value in values.items()):
            # Only a real change goes through: an unchanged action owned by someone else
            # must not stop the rest of the report from being saved.
            _on_action(
                action,
                number,
                # mypy cannot infer a lambda with default arguments; it takes none when called.
                lambda a=action, v=values: action_update(actor=actor, action=a, **v),  # type: ignore[misc]
            )
        keep.add(action.pk)
    for pk, action in existing.items():
        if pk in keep:
            continue
        if action.status == Action.Status.PROPOSED:
            _on_action(
                action,
                None,
                lambda a=action: action_withdraw(actor=actor, action=a),  # type: ignore[misc]  # as above
            )
        elif action.status in Action.OPEN_STATUSES:
            _on_action(
                action,
                None,
                lambda a=action: action_transition(  # type: ignore[misc]  # as above
                    actor=actor,
                    action=a,
                    status=Action.Status.CANCELLED,
                    comment=f"Removed from {report.document_id}, revision {report.revision}.",
                ),
            )


def _on_action(action: Action, number: int | None, change: Callable[[], object]) -> None:
    """Run a change to one action; a refusal becomes an error on the actions section."""
    try:
        change()
    except (PermissionDenied, ValidationError) as exc:
        which = f"Action {number} (“{action.title}”)" if number else f"Action “{action.title}”"
        reason = " ".join(getattr(exc, "messages", None) or [str(exc)])
        raise ValidationError({"actions": [f"{which}: {reason}"]}) from exc


def _after_organisation_today(day: dt.date) -> bool:
    """`day` is after the organisation's today. Every zone's today is within a day of UTC's,
    so only a day near it costs the profile lookup (and the report page stays flat)."""
    utc_today = timezone.now().astimezone(dt.UTC).date()
    if day < utc_today:
        return False
    if day > utc_today + dt.timedelta(days=1):
        return True
    return day > organisation_today()


def drill_report_problems(report: DrillReport) -> dict[str, list[str]]:
    """What stops a report from being submitted, by field (empty when complete)."""
    problems: dict[str, list[str]] = {}

    def need(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    if not report.drill_date:
        need("drill_date", "Give the date the drill took place.")
    elif _after_organisation_today(report.drill_date):
        need("drill_date", DRILL_DATE_AHEAD)
    if not report.scenario.strip():
        need("scenario", "Describe the scenario that was exercised.")
    if not report.services.exists():
        need(
            "services",
            "Choose at least one service exercised: the RTO and RPO targets come from them.",
        )
    if report.actual_duration_minutes is None:
        need("actual_duration_minutes", "Give the actual duration in minutes.")
    if report.rto_actual_minutes is None:
        need("rto_actual_minutes", "Give the recovery time achieved, in minutes.")
    if report.rpo_actual_minutes is None:
        need("rpo_actual_minutes", "Give the data loss window achieved, in minutes.")
    if report.overall_result not in Result.values:
        need("overall_result", "Choose PASS or FAIL for the overall assessment.")
    if not report.summary.strip():
        need("summary", "Summarise the assessment.")
    steps = list(report.steps.all())
    if not steps:
        need("steps", "Record at least one recovery step.")
    for step in steps:
        if not step.description.strip():
            need("steps", f"Step {step.order}: describe what was done.")
        if step.result not in Result.values:
            need("steps", f"Step {step.order}: mark it PASS or FAIL.")
        if step.effective_duration_minutes is None:
            need("steps", f"Step {step.order}: give a duration or start and end times.")
    for number, action in enumerate(report.actions.exclude(status=Action.Status.CANCELLED), 1):
        if action.owner_id is None or action.due_date is None:
            need("actions", f"Action {number} (“{action.title}”): give an owner and a due date.")
    return problems


@transaction.atomic
def drill_report_submit(
    *, actor: Actor, report: DrillReport, now: dt.datetime | None = None
) -> DrillReport:
    """Check the report is complete, then lock it and mark the drill done.

    `now` is the submission time (default: the current time); imports of older paper
    reports pass the day they were signed.
    """
    report = DrillReport.objects.select_for_update().get(pk=report.pk)
    _require_may_edit(actor, report)
    _require_editable(report)
    problems = drill_report_problems(report)
    if problems:
        raise ValidationError(problems)
    report.status = DrillReport.Status.SUBMITTED
    report.submitted_by = cast(User, actor)  # require_perm above: a signed-in user
    report.submitted_at = now or timezone.now()
    save_audited(report, actor=actor)
    # The actions proposed in the draft go into the tracker now, open.
    actions_accept(actor=actor, source=report)
    drill = report.drill
    if drill.status != Drill.Status.DONE:
        drill.status = Drill.Status.DONE
        save_audited(drill, actor=actor)
    return report


@transaction.atomic
def drill_report_revise(*, actor: Actor, report: DrillReport, reason: str) -> DrillReport:
    """Open revision N+1 of a submitted report so it can be corrected and submitted again."""
    report = DrillReport.objects.select_for_update().get(pk=report.pk)
    _require_may_edit(actor, report)
    if not report.is_locked:
        raise ValidationError("Only a submitted report takes a new revision; this one is a draft.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the report needs a correction."})
    report.status = DrillReport.Status.DRAFT
    report.revision += 1
    report.revision_reason = reason.strip()
    report.submitted_at = None
    report.submitted_by = None
    report._change_reason = f"Revision {report.revision}: {reason.strip()}"  # type: ignore[attr-defined]  # read by django-simple-history, declared by no model
    save_audited(report, actor=actor)
    return report


def can_edit(user: Actor, report: DrillReport) -> bool:
    """The draft's editor is offered: `report_may_edit`, and not submitted yet."""
    return not report.is_locked and report_may_edit(user, report)


def can_revise(user: Actor, report: DrillReport) -> bool:
    """A correction is offered: `report_may_edit`, on a submitted report."""
    return report.is_locked and report_may_edit(user, report)


def ensure_may_edit(user: Actor, report: DrillReport) -> None:
    """PermissionDenied unless `user` is one of the report's editors (`report_may_edit`)."""
    _require_may_edit(user, report)
