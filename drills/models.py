"""Drills: types, schedules, the planned drills they generate, and drill reports.

A schedule generates planned drills for the coming months. Each generated drill remembers
its `occurrence_date` (the slot it fills, never changed) apart from `starts_at` (which a
person may move), so generation is idempotent and never overwrites a person's edit.

A drill report follows the runbook's template. It is a draft until submitted; submitting
locks it. A correction opens a new revision of the same report (revision + 1, a reason
required) and is submitted again; every earlier value stays in the history tables.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from bcp_portal.actions.models import Action, ActionLink, link_constraints
from bcp_portal.core.audit import history
from bcp_portal.core.links import detail_url

# A planned drill with no report this long after it started is overdue.
OVERDUE_AFTER = timedelta(days=2)
# The longest a drill (or a schedule's slot) may be planned for: a week.
MAX_PLANNED_DURATION_MINUTES = 7 * 24 * 60
DRILL_REPORT_SOURCE = "drill_report"
STEP_ENDS_BEFORE_START = "The step cannot end before it started."
PLANNED_DURATION_RANGE = (
    f"Give a duration from 1 to {MAX_PLANNED_DURATION_MINUTES} minutes (a week)."
)


def validate_planned_duration(value: int | None) -> None:
    """A planned duration is 1 minute to a week (forms and the API; blank is allowed)."""
    if value is not None and not 1 <= value <= MAX_PLANNED_DURATION_MINUTES:
        raise ValidationError(PLANNED_DURATION_RANGE, code="planned_duration")


def check_step_times(started_at, ended_at) -> None:
    """A recovery step cannot end before it starts (the model, the form and the API)."""
    if started_at and ended_at and ended_at < started_at:
        raise ValidationError({"ended_at": STEP_ENDS_BEFORE_START}, code="step_times")


class Result(models.TextChoices):
    PASS = "pass", "PASS"
    FAIL = "fail", "FAIL"


class DrillType(models.Model):
    """Database recovery, application failover, storage recovery, end-to-end, tabletop…"""

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    default_duration_minutes = models.PositiveIntegerField(default=60)
    participant_teams = models.CharField(
        max_length=300, blank=True, help_text="Comma-separated teams, e.g. SRE, Engineering."
    )
    default_scenario = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    history = history()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def teams(self) -> list[str]:
        return [t.strip() for t in self.participant_teams.split(",") if t.strip()]


class DrillSchedule(models.Model):
    """A recurring slot: "week 1 of every month" or "month 3 of every quarter"."""

    class Cadence(models.TextChoices):
        MONTHLY = "monthly", "Every month"
        QUARTERLY = "quarterly", "Every quarter"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"

    drill_type = models.ForeignKey(DrillType, on_delete=models.PROTECT, related_name="schedules")
    cadence = models.CharField(max_length=16, choices=Cadence.choices, default=Cadence.MONTHLY)
    week_of_month = models.PositiveSmallIntegerField(
        default=1, help_text="1 to 4: the first to fourth such weekday of the month; 5: the last."
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.TUESDAY)
    month_of_quarter = models.PositiveSmallIntegerField(
        default=3, help_text="For quarterly drills: 1, 2 or 3 (the quarter's last month)."
    )
    start_time = models.TimeField(default="10:00", help_text="Local time of the organisation.")
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    scenario = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    history = history()

    class Meta:
        ordering = ["cadence", "week_of_month"]

    def __str__(self) -> str:
        when = f"week {self.week_of_month}" if self.week_of_month < 5 else "last week"
        if self.cadence == self.Cadence.QUARTERLY:
            return f"{self.drill_type}: quarterly, month {self.month_of_quarter}, {when}"
        return f"{self.drill_type}: monthly, {when}"

    def clean(self) -> None:
        errors = {}
        if not 1 <= self.week_of_month <= 5:
            errors["week_of_month"] = "Choose a week from 1 to 4, or 5 for the last week."
        if not 1 <= self.month_of_quarter <= 3:
            errors["month_of_quarter"] = "Choose month 1, 2 or 3 of the quarter."
        if errors:
            raise ValidationError(errors)


def overdue_cutoff(now=None):
    """Drills planned to start at or before this instant are overdue if still planned."""
    return (now or timezone.now()) - OVERDUE_AFTER


class DrillQuerySet(models.QuerySet):
    def overdue(self, now=None) -> DrillQuerySet:
        """Planned drills that started at least OVERDUE_AFTER ago (no report submitted)."""
        return self.filter(self.overdue_q(now))

    @staticmethod
    def overdue_q(now=None) -> models.Q:
        """The same rule as a condition, for counts and annotations."""
        return models.Q(status=Drill.Status.PLANNED, starts_at__lte=overdue_cutoff(now))


class Drill(models.Model):
    """One drill on the calendar: planned, done (a report was submitted) or cancelled."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    drill_type = models.ForeignKey(DrillType, on_delete=models.PROTECT, related_name="drills")
    schedule = models.ForeignKey(
        DrillSchedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="drills"
    )
    occurrence_date = models.DateField(
        null=True, blank=True, help_text="The schedule slot this drill fills (never moved)."
    )
    title = models.CharField(max_length=200)
    scenario = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    planned_duration_minutes = models.PositiveIntegerField()
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="drills"
    )
    participant_teams = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    edited_by_person = models.BooleanField(
        default=False, help_text="Set when a person changes a generated drill."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = history(m2m_fields=["participants"])

    objects = DrillQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            # The month view's range, the list's latest-first order (read backwards), feeds.
            models.Index(fields=["starts_at", "id"], name="drill_starts_at_idx"),
            # Status filters and the overdue rule (planned and started before a cutoff).
            models.Index(fields=["status", "starts_at"], name="drill_status_starts_at_idx"),
            # The planned drills alone, with their ids: overdue counts read this small index
            # only (an index-only scan), not the table.
            models.Index(
                fields=["starts_at", "id"],
                condition=models.Q(status="planned"),
                name="drill_planned_starts_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "occurrence_date"], name="drill_one_per_schedule_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return detail_url("drills:drill-detail", self.pk)

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.planned_duration_minutes)

    def is_overdue(self, now=None) -> bool:
        """Planned, and no report submitted two days after its date (`Drill.objects.overdue`)."""
        return self.status == self.Status.PLANNED and self.starts_at <= overdue_cutoff(now)


class DrillReport(models.Model):
    """The runbook's drill report template, filed in the browser or posted by CI."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    drill = models.OneToOneField(Drill, on_delete=models.PROTECT, related_name="report")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveIntegerField(default=1)
    revision_reason = models.TextField(blank=True)
    drill_date = models.DateField(null=True, blank=True)
    scenario = models.TextField(blank=True)
    services = models.ManyToManyField("catalogue.Service", blank=True, related_name="drill_reports")
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="drill_reports"
    )
    other_participants = models.CharField(
        max_length=300, blank=True, help_text="People without an account, comma-separated."
    )
    planned_duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    actual_duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    # Targets are copied from the services exercised (the strictest) whenever they change.
    rto_target_minutes = models.PositiveIntegerField(null=True, blank=True)
    rpo_target_minutes = models.PositiveIntegerField(null=True, blank=True)
    rto_actual_minutes = models.PositiveIntegerField(null=True, blank=True)
    rpo_actual_minutes = models.PositiveIntegerField(null=True, blank=True)
    overall_result = models.CharField(max_length=8, choices=Result.choices, blank=True)
    summary = models.TextField(blank=True)
    actions = models.ManyToManyField(
        Action, through="DrillReportAction", related_name="+", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = history(m2m_fields=["services", "participants"])

    class Meta:
        ordering = ["-drill_date", "-pk"]
        indexes = [
            # The report list's latest-first order (read backwards) and its status filter.
            models.Index(fields=["drill_date", "id"], name="drillreport_date_idx"),
            models.Index(fields=["status", "drill_date", "id"], name="drillreport_status_date_idx"),
        ]

    def __str__(self) -> str:
        return f"Drill report {self.document_id} rev {self.revision}"

    def get_absolute_url(self) -> str:
        return detail_url("drills:report-detail", self.pk)

    @property
    def document_id(self) -> str:
        return f"DRILL-{self.pk:05d}" if self.pk else "DRILL-NEW"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @staticmethod
    def verdict(actual: int | None, target: int | None) -> str:
        """'met', 'missed' or '' when either side is unknown."""
        if actual is None or target is None:
            return ""
        return "met" if actual <= target else "missed"

    @property
    def rto_verdict(self) -> str:
        return self.verdict(self.rto_actual_minutes, self.rto_target_minutes)

    @property
    def rpo_verdict(self) -> str:
        return self.verdict(self.rpo_actual_minutes, self.rpo_target_minutes)


class RecoveryStep(models.Model):
    report = models.ForeignKey(DrillReport, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField()
    description = models.TextField()
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    result = models.CharField(max_length=8, choices=Result.choices, blank=True)
    notes = models.TextField(blank=True)

    history = history()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"Step {self.order}: {self.description[:40]}"

    def clean(self) -> None:
        check_step_times(self.started_at, self.ended_at)

    @property
    def effective_duration_minutes(self) -> int | None:
        if self.duration_minutes is not None:
            return self.duration_minutes
        if self.started_at and self.ended_at:
            return int((self.ended_at - self.started_at).total_seconds() // 60)
        return None


class DrillIssue(models.Model):
    class Severity(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    report = models.ForeignKey(DrillReport, on_delete=models.CASCADE, related_name="issues")
    description = models.TextField()
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.MEDIUM)

    history = history()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.description[:40]}"


class CalendarFeedToken(models.Model):
    """A private, revocable iCalendar URL. Only the token's SHA-256 is stored."""

    class Scope(models.TextChoices):
        MINE = "mine", "Drills I take part in"
        ALL = "all", "All drills"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.MINE)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    history = history()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Calendar feed {self.prefix}… of {self.user}"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class DrillReportAction(ActionLink):
    """The link from a drill report to one of its improvement actions (see ActionLink)."""

    action = models.OneToOneField(
        Action, primary_key=True, on_delete=models.CASCADE, related_name="drill_report_link"
    )
    drill_report = models.ForeignKey(
        DrillReport, on_delete=models.PROTECT, related_name="action_links"
    )
    source_kind = models.CharField(max_length=32, default=DRILL_REPORT_SOURCE, editable=False)

    history = history()

    class Meta:
        constraints = link_constraints(DRILL_REPORT_SOURCE)
        verbose_name = "drill report action"

    def __str__(self) -> str:
        return f"{self.drill_report} → action {self.action_id}"
