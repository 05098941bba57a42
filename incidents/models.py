"""Incidents: their types, lifecycle and timeline; post-mortems (on-call, escalation and
DR metrics join them in their own modules).

An incident's times are typed by people (or set by the lifecycle service); what is derived
from them (time to detect, to acknowledge, actual RTO) is computed, never stored, so it can
never disagree with the times. The database refuses an impossible order of times.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q

from bcp_portal.catalogue.models import Service
from bcp_portal.core.audit import history
from bcp_portal.core.links import detail_url

POSTMORTEM_SOURCE = "postmortem"


class Severity(models.TextChoices):
    P0 = "P0", "P0 - Critical"
    P1 = "P1", "P1 - High"
    P2 = "P2", "P2 - Medium"
    P3 = "P3", "P3 - Low"


# Lower rank is more severe; raising a severity lowers its rank.
SEVERITY_RANK = {Severity.P0: 0, Severity.P1: 1, Severity.P2: 2, Severity.P3: 3}


class IncidentType(models.Model):
    """A scenario of the runbook (section 4), loaded from `incidents/data/incident_types.json`.

    `expected_rto_minutes` is the scenario's own RTO where the runbook gives one; blank means
    the organisation's RTO target applies.
    """

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    expected_rto_minutes = models.PositiveIntegerField(
        "expected RTO (minutes)",
        null=True,
        blank=True,
        help_text="Blank: the organisation's RTO target applies.",
    )
    runbook_section = models.CharField(
        max_length=20, blank=True, help_text="The runbook section that handles it, e.g. 4.1.1."
    )
    runbook_heading = models.CharField(max_length=200, blank=True)
    is_partial_degradation = models.BooleanField(
        default=False,
        help_text="Incidents of this type are not outages: availability does not count them.",
    )
    is_active = models.BooleanField(default=True)

    history = history()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IncidentQuerySet(models.QuerySet):
    def open(self) -> IncidentQuerySet:
        return self.exclude(status=Incident.Status.CLOSED)

    def active(self) -> IncidentQuerySet:
        """Not restored yet: what the "active incidents" panel shows."""
        return self.filter(
            status__in=[
                Incident.Status.DETECTED,
                Incident.Status.RESPONDING,
                Incident.Status.MITIGATED,
            ]
        )


def _not_before(later: str, earlier: str) -> Q:
    """Either time unknown, or `later` at or after `earlier`."""
    return (
        Q(**{f"{later}__isnull": True})
        | Q(**{f"{earlier}__isnull": True})
        | Q(**{f"{later}__gte": F(earlier)})
    )


# (later, earlier, message): the order of an incident's times, in the database and in clean().
TIME_ORDER = (
    ("detected_at", "started_at", "Detection cannot come before the incident started."),
    ("acknowledged_at", "detected_at", "It cannot be acknowledged before it was detected."),
    ("response_started_at", "detected_at", "The response cannot start before detection."),
    ("restored_at", "detected_at", "Service cannot be restored before the incident was detected."),
    ("restored_at", "started_at", "Service cannot be restored before the incident started."),
    ("closed_at", "restored_at", "It cannot be closed before service was restored."),
    ("closed_at", "detected_at", "It cannot be closed before it was detected."),
)


class Incident(models.Model):
    class Status(models.TextChoices):
        DETECTED = "detected", "Detected"
        RESPONDING = "responding", "Responding"
        MITIGATED = "mitigated", "Mitigated"
        RESTORED = "restored", "Restored"
        CLOSED = "closed", "Closed"

    class RpoBasis(models.TextChoices):
        UNKNOWN = "", "Not established"
        BACKUP = "backup", "Last good backup's timestamp"
        WAL = "wal", "Last archived WAL / replication position"
        LOGS = "logs", "Application or audit logs"
        RECONCILIATION = "reconciliation", "Reconciliation with a third party"
        ESTIMATE = "estimate", "Estimate"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    incident_type = models.ForeignKey(
        IncidentType, on_delete=models.PROTECT, related_name="incidents", verbose_name="type"
    )
    severity = models.CharField(max_length=2, choices=Severity.choices, default=Severity.P2)
    business_impact = models.CharField(
        max_length=16, choices=Service.Impact.choices, default=Service.Impact.IMPORTANT
    )
    services = models.ManyToManyField(
        Service, through="IncidentService", related_name="incidents", blank=True
    )
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="incident commander",
    )
    responders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="IncidentResponder", related_name="+", blank=True
    )
    involves_personal_data = models.BooleanField(default=False)
    involves_payment_data = models.BooleanField(default=False)
    affected_users = models.PositiveIntegerField(null=True, blank=True)
    lost_transactions = models.PositiveIntegerField(null=True, blank=True)
    revenue_impact = models.DecimalField(
        "estimated revenue impact",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="In the organisation's currency.",
    )
    high_financial_impact = models.BooleanField(
        default=False, help_text="Escalates to the executives (runbook 5.2.1)."
    )
    # Times, in the order the database enforces (TIME_ORDER).
    started_at = models.DateTimeField("onset", null=True, blank=True)
    detected_at = models.DateTimeField("detected")
    acknowledged_at = models.DateTimeField("acknowledged", null=True, blank=True)
    response_started_at = models.DateTimeField("response started", null=True, blank=True)
    restored_at = models.DateTimeField("service restored", null=True, blank=True)
    closed_at = models.DateTimeField("closed", null=True, blank=True)
    rpo_actual_minutes = models.PositiveIntegerField(
        "data-loss window (minutes)",
        null=True,
        blank=True,
        help_text="The actual RPO; blank while unknown.",
    )
    rpo_basis = models.CharField(
        "how the data-loss window was established",
        max_length=20,
        choices=RpoBasis.choices,
        blank=True,
    )
    rpo_note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DETECTED)
    reopen_count = models.PositiveSmallIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = history()
    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-detected_at", "-pk"]
        indexes = [
            models.Index(fields=["-detected_at", "-id"], name="incident_recent"),
            models.Index(fields=["status", "-detected_at"], name="incident_status_recent"),
            models.Index(fields=["severity", "-detected_at"], name="incident_severity_recent"),
            # The DR metrics' outages of a period: restored after it began, or not restored.
            models.Index(fields=["restored_at"], name="incident_restored"),
        ]
        constraints = [
            *(
                models.CheckConstraint(
                    name=f"incident_{later}_after_{earlier}", condition=_not_before(later, earlier)
                )
                for later, earlier, _ in TIME_ORDER
            ),
            models.CheckConstraint(
                name="incident_restored_has_time",
                condition=~Q(status__in=["restored", "closed"]) | Q(restored_at__isnull=False),
            ),
            models.CheckConstraint(
                name="incident_closed_has_time",
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="incident_open_has_no_close_time",
                condition=Q(status="closed") | Q(closed_at__isnull=True),
            ),
            models.CheckConstraint(
                name="incident_rpo_basis_when_known",
                condition=Q(rpo_actual_minutes__isnull=True) | ~Q(rpo_basis=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self) -> str:
        return detail_url("incidents:incident-detail", self.pk)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        for later, earlier, message in TIME_ORDER:
            a, b = getattr(self, later), getattr(self, earlier)
            if a is not None and b is not None and a < b and later not in errors:
                errors[later] = message
        if self.rpo_actual_minutes is not None and not self.rpo_basis:
            errors["rpo_basis"] = "Say how the data-loss window was established."
        done = (self.Status.RESTORED, self.Status.CLOSED)
        if self.status in done and self.restored_at is None:
            errors.setdefault(
                "restored_at", "A restored incident keeps its restore time; re-open it instead."
            )
        if self.status == self.Status.CLOSED and self.closed_at is None:
            errors.setdefault("closed_at", "A closed incident needs its closing time.")
        if self.status != self.Status.CLOSED and self.closed_at is not None:
            errors.setdefault("closed_at", "Only a closed incident has a closing time.")
        if errors:
            raise ValidationError(errors)

    def get_constraints(self) -> list[tuple[type[models.Model], list[Any]]]:
        """Leave the CHECK constraints out of `full_clean()`: `clean()` repeats each of them
        with a message naming its field, and Django would otherwise ask the database once per
        constraint (eleven queries on every save). The database still enforces them all."""
        return [
            (model, [c for c in constraints if not isinstance(c, models.CheckConstraint)])
            for model, constraints in super().get_constraints()
        ]

    # --- Derived, never stored -----------------------------------------------------------

    @property
    def onset(self) -> datetime:
        """When the outage began: the onset, else detection (onset unknown)."""
        return self.started_at or self.detected_at

    @property
    def time_to_detect(self) -> timedelta | None:
        return self.detected_at - self.started_at if self.started_at else None

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        return self.acknowledged_at - self.detected_at if self.acknowledged_at else None

    @property
    def rto_actual(self) -> timedelta | None:
        """Restored minus onset (or minus detection when the onset is unknown)."""
        return self.restored_at - self.onset if self.restored_at else None

    @property
    def rto_actual_minutes(self) -> int | None:
        actual = self.rto_actual
        return None if actual is None else int(actual.total_seconds() // 60)

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class IncidentService(models.Model):
    """A service the incident affects (its targets are compared with the actual RTO/RPO)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="service_links")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="incident_links")

    history = history()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "service"], name="incident_service_once")
        ]
        indexes = [models.Index(fields=["service", "incident"], name="incident_service_by_svc")]

    def __str__(self) -> str:
        return f"{self.incident_id} → {self.service}"


class IncidentResponder(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="responder_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = history()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "user"], name="incident_responder_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} → {self.user}"


class TimelineEntry(models.Model):
    """One line of the incident's timeline: the post-mortem's Time | Event | Action | Owner."""

    class Kind(models.TextChoices):
        NOTE = "note", "Entry"
        STATUS = "status", "Status change"
        SEVERITY = "severity", "Severity change"
        ALERT = "alert", "Alert"
        ESCALATION = "escalation", "Escalation"
        ACKNOWLEDGEMENT = "ack", "Acknowledgement"
        COMMUNICATION = "communication", "Communication"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField("time")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NOTE)
    event = models.CharField(max_length=500)
    action_taken = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_name = models.CharField(
        max_length=200, blank=True, help_text="Someone who is not a user (a vendor, a monitor)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = history()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "timeline entries"
        indexes = [models.Index(fields=["incident", "at"], name="timeline_by_incident")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.event}"


# Post-mortems and communication drafts live in their own module; imported here so that
# Django finds them as models of this app.
# Alert intake's models live in their own module (Django looks for models here).
from incidents.models_intake import (  # noqa: E402, F401
    AlertGroup,
    IntakeAlert,
    IntakeMapping,
    IntakeSource,
)

# The DR metrics' monthly summary (derived, kept by the services: incidents/metric_summary.py).
from incidents.models_metrics import IncidentMetricMonth, ServiceOutageIsland  # noqa: E402, F401
from incidents.models_postmortems import (  # noqa: E402, F401
    CommunicationDraft,
    PostMortem,
    PostMortemAction,
    PostMortemLesson,
)

# --- On-call, communication matrix and escalation (issue #10 item 4) ---------------------
# Rules and walks over these rows live in `incidents/oncall.py` (pure), `incidents/
# services/oncall.py` and `incidents/escalation.py`.


class CommunicationRule(models.Model):
    """One row of the communication matrix (runbook 5.1.1): who must have been told of an
    incident of a severity, through which channels, and by when.

    The recipients are notified at once when the incident is declared (or raised to this
    severity); `notify_within_minutes` is the deadline for that: a notice not delivered by
    then is flagged on the incident. Defaults come from `incidents/data/
    communication_matrix.json`, loaded after every migrate without overwriting an edit.
    """

    severity = models.CharField(max_length=2, choices=Severity.choices, unique=True)
    notify_within_minutes = models.PositiveIntegerField(
        validators=[MaxValueValidator(7 * 24 * 60)],
        help_text="The deadline, from declaration, by which the recipients must have been told "
        "(at most a week).",
    )
    roles = models.ManyToManyField("auth.Group", blank=True, related_name="+")
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    contacts = models.ManyToManyField("contacts.Contact", blank=True, related_name="+")
    executive_contacts = models.BooleanField(
        default=False,
        help_text="Also every active executive of the contact directory (the CEO, ...).",
    )
    channels = models.JSONField(
        default=list,
        blank=True,
        help_text='Ordered fallback channels, e.g. ["webhook:incidents", "email"].',
    )
    page_on_call = models.BooleanField(
        default=True, help_text="Incidents of this severity page the on-call chain."
    )

    history = history()

    class Meta:
        ordering = ["severity"]
        verbose_name = "communication matrix row"

    def __str__(self) -> str:
        return f"{self.severity}: within {self.notify_within_minutes} min"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from incidents.oncall import channel_errors

        problems = channel_errors(self.channels)
        if problems:
            raise ValidationError({"channels": problems})


class OnCallRotation(models.Model):
    """Ordered members taking shifts of `shift_days` from `starts_at`; shift n is held by
    member n (primary) and member n+1 (secondary), wrapping round. Shift boundaries fall at
    the start's wall-clock time in the organisation's zone (a week is a week across a DST
    change). Only one rotation is active: the one that pages."""

    name = models.CharField(max_length=120, unique=True)
    starts_at = models.DateTimeField(help_text="The first shift's handover.")
    shift_days = models.PositiveSmallIntegerField(
        default=7, help_text="Length of a shift in days (7: weekly)."
    )
    is_active = models.BooleanField(default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="RotationMember", related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = history()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_rotation"
            ),
            models.CheckConstraint(
                name="rotation_shift_1_to_365_days",
                condition=Q(shift_days__gte=1) & Q(shift_days__lte=365),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RotationMember(models.Model):
    rotation = models.ForeignKey(
        OnCallRotation, on_delete=models.CASCADE, related_name="member_links"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    history = history()

    class Meta:
        ordering = ["rotation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rotation", "position"], name="rotation_position_once"),
            models.UniqueConstraint(fields=["rotation", "user"], name="rotation_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rotation} #{self.position}: {self.user}"


class OnCallOverride(models.Model):
    """Someone else holds the primary or secondary slot for a window (a swap, a holiday)."""

    class Slot(models.TextChoices):
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"

    rotation = models.ForeignKey(OnCallRotation, on_delete=models.CASCADE, related_name="overrides")
    slot = models.CharField(max_length=10, choices=Slot.choices, default=Slot.PRIMARY)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="on call"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = history()

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["rotation", "ends_at"], name="override_by_end"),
            # The on-call page's list: overrides not over yet, whatever their rotation.
            models.Index(fields=["ends_at", "starts_at"], name="override_upcoming"),
        ]
        constraints = [
            models.CheckConstraint(
                name="override_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_slot_display()}: {self.user} ({self.reason})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The override must end after it starts."})


class Escalation(models.Model):
    """An incident's paging chain: started at declaration (or when raised to a severity
    that pages), stopped by an acknowledgement or the response starting."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="escalation")
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=200, blank=True)

    history = history()

    class Meta:
        indexes = [
            models.Index(
                fields=["started_at"], condition=Q(stopped_at__isnull=True), name="escalation_live"
            )
        ]

    def __str__(self) -> str:
        return f"Escalation of incident {self.incident_id}"


class EscalationPage(models.Model):
    """One person paged at one step of the chain, with the outbox message that paged them
    and, once they acknowledged through its link, when."""

    class Step(models.TextChoices):
        PRIMARY = "primary", "Primary on call"
        SECONDARY = "secondary", "Secondary on call"
        EXECUTIVE = "executive", "Executive"

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="pages")
    step = models.CharField(max_length=10, choices=Step.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paged_at = models.DateTimeField()
    message = models.OneToOneField(
        "core.OutboxMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    history = history()

    class Meta:
        ordering = ["paged_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="page_user_or_contact",
                condition=Q(user__isnull=False, contact__isnull=True)
                | Q(user__isnull=True, contact__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["escalation", "step", "user"],
                condition=Q(user__isnull=False),
                name="page_user_once_per_step",
            ),
            models.UniqueConstraint(
                fields=["escalation", "step", "contact"],
                condition=Q(contact__isnull=False),
                name="page_contact_once_per_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} page of incident {self.escalation.incident_id}"

    @property
    def recipient(self) -> Any:
        return self.user if self.user_id else self.contact


class StakeholderNotice(models.Model):
    """One notification the communication matrix called for, with its deadline; once the
    deadline passed the periodic task checks it and flags it missed when its message was not
    delivered by then."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notices")
    severity = models.CharField(max_length=2, choices=Severity.choices)
    recipient_label = models.CharField(max_length=200)
    message = models.OneToOneField(
        "core.OutboxMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField()
    checked_at = models.DateTimeField(
        null=True, blank=True, help_text="When the deadline was checked (the done marker)."
    )
    missed = models.BooleanField(default=False, help_text="Not delivered by the deadline.")

    history = history()

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(checked_at__isnull=True), name="notice_unchecked"
            ),
            models.Index(fields=["incident", "due_at"], name="notice_by_incident"),
        ]

    def __str__(self) -> str:
        return f"{self.severity} notice to {self.recipient_label}"
