"""The service catalogue (used by every app); incidents and actions come later."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from bcp_portal.audit import history


class Service(models.Model):
    """A catalogue entry: a service, a data store or an external provider.

    One model with a kind, so drills, incidents and audits can point at any of them.
    """

    class Kind(models.TextChoices):
        SERVICE = "service", "Service"
        DATA_STORE = "data_store", "Data store"
        PROVIDER = "provider", "External provider"

    class Impact(models.TextChoices):
        CRITICAL = "critical", "Critical"
        IMPORTANT = "important", "Important"
        MODERATE = "moderate", "Moderate"
        LOW = "low", "Low"

    class Priority(models.TextChoices):
        P0 = "P0", "P0 - Critical"
        P1 = "P1", "P1 - Important"
        P2 = "P2", "P2 - Moderate"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SERVICE)
    description = models.TextField(blank=True)
    owner_team = models.CharField(max_length=100, blank=True)
    business_impact = models.CharField(
        max_length=16, choices=Impact.choices, default=Impact.IMPORTANT
    )
    recovery_priority = models.CharField(
        max_length=2, choices=Priority.choices, default=Priority.P1
    )
    region = models.CharField(max_length=100, blank=True, help_text="e.g. eu-west-1")
    # Data stores
    data_category = models.CharField(max_length=200, blank=True)
    backup_frequency = models.CharField(max_length=200, blank=True)
    # External providers
    provided_service = models.CharField("service provided", max_length=200, blank=True)
    fallback = models.CharField(max_length=200, blank=True)
    expected_recovery_minutes = models.PositiveIntegerField(null=True, blank=True)
    # Recovery objectives (defaults from the organisation profile when created)
    rto_target_minutes = models.PositiveIntegerField("RTO target (minutes)")
    rto_max_minutes = models.PositiveIntegerField("RTO maximum tolerable (minutes)")
    rpo_target_minutes = models.PositiveIntegerField("RPO target (minutes)")
    rpo_max_minutes = models.PositiveIntegerField("RPO maximum tolerable (minutes)")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = history()

    class Meta:
        ordering = ["recovery_priority", "name"]
        constraints = [
            models.CheckConstraint(
                name="service_rto_target_within_max",
                condition=models.Q(rto_target_minutes__lte=models.F("rto_max_minutes")),
            ),
            models.CheckConstraint(
                name="service_rpo_target_within_max",
                condition=models.Q(rpo_target_minutes__lte=models.F("rpo_max_minutes")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("incidents:service-detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if None not in (self.rto_target_minutes, self.rto_max_minutes) and (
            self.rto_target_minutes > self.rto_max_minutes
        ):
            errors["rto_target_minutes"] = "The RTO target cannot exceed the maximum tolerable."
        if None not in (self.rpo_target_minutes, self.rpo_max_minutes) and (
            self.rpo_target_minutes > self.rpo_max_minutes
        ):
            errors["rpo_target_minutes"] = "The RPO target cannot exceed the maximum tolerable."
        if errors:
            raise ValidationError(errors)


class PostMortem(models.Model):
    """The runbook's post-mortem template for one incident (pages come with incidents).

    Improvement actions found by a post-mortem go to the same tracker as a drill's.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    incident_reference = models.CharField(max_length=64, help_text="e.g. INC-2026-014")
    title = models.CharField(max_length=200)
    incident_date = models.DateField()
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    impact = models.TextField(blank=True, help_text="Customer impact.")
    root_cause = models.TextField(blank=True)
    contributing_factors = models.TextField(blank=True)
    went_well = models.TextField("what went well", blank=True)
    to_improve = models.TextField("what could be improved", blank=True)
    lessons_learned = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = history()

    class Meta:
        ordering = ["-incident_date", "-pk"]
        verbose_name = "post-mortem"

    def __str__(self) -> str:
        return f"Post-mortem {self.incident_reference}: {self.title}"


class Action(models.Model):
    """One improvement action, wherever it came from: the portal's single action tracker.

    Each action has exactly one source: a drill report or a post-mortem (two nullable
    foreign keys and a check constraint that exactly one is set).
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    class Priority(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="actions",
        null=True,
        blank=True,
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    drill_report = models.ForeignKey(
        "drills.DrillReport",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
    )
    postmortem = models.ForeignKey(
        PostMortem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name="post-mortem",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = history()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                name="action_exactly_one_source",
                condition=(
                    models.Q(drill_report__isnull=False, postmortem__isnull=True)
                    | models.Q(drill_report__isnull=True, postmortem__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("incidents:action-detail", args=[self.pk])

    @property
    def source(self):
        return self.drill_report or self.postmortem

    def is_overdue(self, today=None) -> bool:
        from django.utils import timezone

        today = today or timezone.localdate()
        return bool(self.due_date and self.status in self.OPEN_STATUSES and self.due_date < today)
