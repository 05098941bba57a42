"""Regulatory notification clocks: regimes switched on, dated facts, obligations, submissions.

The legal facts of each regime (stages, periods, anchors, sources) live in the versioned data
file `compliance/data/notification_regimes.json` and are read by the deadline engine
(`compliance.deadlines`); a `NotificationRegime` row only says whether the regime is enabled,
which version of the file it came from, and, for the seed runbook's internal rules, the
parameters an administrator may edit.

An incident's dated facts (`IncidentFact`: awareness, classification as major, materiality,
discovery, the GDPR risk level, persons affected by region) are what the clocks run from; the
engine's answers are stored as `Obligation` rows (never deleted: a change that removes one
marks it not applicable with the reason), and each `Submission` records a notification made.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from bcp_portal.catalogue.models import CompetentAuthority, validate_jurisdiction
from bcp_portal.core.audit import history
from bcp_portal.core.models import validate_time_zone
from compliance.deadlines import types

MAX_REASON_CHARS = 4000
MAX_CONTENT_CHARS = 50_000
MAX_EVIDENCE_CHARS = 2000
SEVERITIES = (("P0", "P0"), ("P1", "P1"), ("P2", "P2"), ("P3", "P3"))


class NotificationRegime(models.Model):
    """A regime of the data file: enabled or not; the seed's internal rules' parameters."""

    key = models.SlugField(max_length=64, unique=True, editable=False)
    name = models.CharField(max_length=300, editable=False)
    jurisdiction = models.CharField(max_length=300, editable=False, blank=True)
    is_internal = models.BooleanField(
        default=False, editable=False, help_text="A rule of the seed runbook, not a law."
    )
    data_version = models.PositiveIntegerField(
        editable=False, help_text="The version of the regimes data file it was last loaded from."
    )
    enabled = models.BooleanField(default=True)
    # Only for internal rules (the seed runbook's section 8.2.1), editable in the admin.
    incident_type_key = models.CharField(
        max_length=64, blank=True, help_text="Internal rules: the incident type it applies to."
    )
    severity_threshold = models.CharField(
        max_length=2,
        blank=True,
        choices=SEVERITIES,
        help_text="Internal rules: applies at this severity or more severe (P0 most severe).",
    )
    deadline_hours = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(24 * 366)]
    )
    min_outage_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Internal rules: the outage must last MORE than this."
    )
    min_affected_users = models.PositiveIntegerField(
        null=True, blank=True, help_text="Internal rules: MORE than this many users affected."
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = history()

    class Meta:
        ordering = ["is_internal", "name"]

    def __str__(self) -> str:
        return self.name


class IncidentFact(models.Model):
    """A dated fact a clock runs from, or an assessment it depends on.

    One current fact per incident, kind and region: changing it keeps the old value in the
    history. Dated kinds carry `occurred_at` (in the zone it was stated in); `gdpr_risk`
    carries `value`; `persons_affected` carries `region` and `count`.
    """

    GDPR_RISK = "gdpr_risk"
    PERSONS_AFFECTED = "persons_affected"
    KIND_CHOICES = [
        *[(k, v) for k, v in types.DATED_FACTS.items() if k != types.DETECTION],
        (GDPR_RISK, "GDPR risk level"),
        (PERSONS_AFFECTED, "Persons affected in a region"),
    ]

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="regulatory_facts"
    )
    kind = models.CharField(max_length=32, choices=KIND_CHOICES)
    occurred_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[validate_time_zone], blank=True
    )
    value = models.CharField(
        max_length=16, blank=True, choices=list(types.GDPR_RISK_LEVELS.items())
    )
    region = models.CharField(
        max_length=10, blank=True, validators=[validate_jurisdiction], help_text="FR, US-CA..."
    )
    count = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField(max_length=MAX_REASON_CHARS, help_text="Why this fact stands.")
    evidence = models.CharField(
        max_length=MAX_EVIDENCE_CHARS, blank=True, help_text="What shows it: a ticket, a message."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    history = history()

    class Meta:
        ordering = ["incident", "kind", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind", "region"], name="incident_fact_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.incident_id})"


class Obligation(models.Model):
    """One stage of one regime for one incident: the clock, as the engine last computed it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SUBMITTED = "submitted", "Submitted"
        NOT_APPLICABLE = "not_applicable", "Not applicable"
        WAIVED = "waived", "Waived"

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="obligations"
    )
    regime_key = models.CharField(max_length=64)
    stage_key = models.CharField(max_length=64)
    regime_name = models.CharField(max_length=300)
    stage_name = models.CharField(max_length=300)
    notify = models.CharField(max_length=500, blank=True)
    entity = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    # True: a person added it (the DPO's own judgement), the engine never marks it otherwise.
    manual = models.BooleanField(default=False)
    required = models.BooleanField(default=True)
    reason = models.TextField(blank=True)
    counting = models.CharField(max_length=20, choices=list(types.COUNTING_METHODS.items()))
    period = models.PositiveIntegerField(null=True, blank=True)
    anchor = models.CharField(max_length=80)
    anchor_at = models.DateTimeField(null=True, blank=True)
    provisional = models.BooleanField(default=False)
    due_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    local_zone = models.CharField(max_length=64, default="UTC")
    alt_due_at = models.DateTimeField(null=True, blank=True)
    alt_basis = models.CharField(max_length=500, blank=True)
    relief = models.CharField(max_length=500, blank=True)
    rule = models.TextField(blank=True)
    basis = models.TextField(blank=True)
    verified = models.BooleanField(default=True)
    waiting_for = models.CharField(max_length=300, blank=True)
    status_reason = models.TextField(
        blank=True,
        max_length=MAX_REASON_CHARS,
        help_text="Why it was waived, added by hand, or is no longer applicable.",
    )
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = history()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "regime_key", "stage_key"], name="obligation_one_per_stage"
            ),
        ]
        indexes = [
            # The desk: running clocks by time left.
            models.Index(
                fields=["due_at", "id"],
                name="obligation_open_due",
                condition=Q(status="open"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.regime_name}: {self.stage_name}{self.unverified_note}"

    @property
    def unverified_note(self) -> str:
        """ " (unverified)" after a stage the reference marks unverified, wherever it is named
        in text (messages, reminders, the timeline, the admin); "" otherwise."""
        return "" if self.verified else " (unverified)"

    @property
    def key(self) -> str:
        return f"{self.regime_key}/{self.stage_key}"


class Submission(models.Model):
    """A notification made for an obligation: who, when, to whom, what, and why late."""

    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="submissions")
    submitted_at = models.DateTimeField(help_text="When it was actually sent or filed.")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    authority = models.ForeignKey(
        CompetentAuthority, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient = models.CharField(
        max_length=300, help_text="To whom: the authority's name, or the group notified."
    )
    reference_number = models.CharField(max_length=200, blank=True)
    content = models.TextField(blank=True, max_length=MAX_CONTENT_CHARS)
    attachment_name = models.CharField(max_length=255, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment = models.BinaryField(null=True, blank=True, editable=False)
    attachment_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    late_reason = models.TextField(
        blank=True, max_length=MAX_REASON_CHARS, help_text="Required when made after the due time."
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = history(excluded_fields=["attachment"])

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.recipient} at {self.submitted_at:%Y-%m-%d %H:%M}"
