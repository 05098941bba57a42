"""The catalogue: what the business runs and what it may lose.

Services, data stores and external providers with their recovery objectives, and the one
organisation profile whose objectives new entries default to. Every app points here.
"""

from django.core.exceptions import ValidationError
from django.db import models

from bcp_portal.core.audit import history
from bcp_portal.core.links import detail_url
from bcp_portal.core.models import validate_time_zone


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
        return detail_url("catalogue:service-detail", self.pk)

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


class OrganisationProfile(models.Model):
    """The organisation's recovery objectives (one row; seeded from the runbook).

    New catalogue entries take their RTO and RPO defaults from here.
    """

    name = models.CharField(max_length=200, default="Our organisation")
    rto_target_minutes = models.PositiveIntegerField("RTO target (minutes)", default=4 * 60)
    rto_max_minutes = models.PositiveIntegerField(
        "RTO maximum tolerable (minutes)", default=24 * 60
    )
    rpo_target_minutes = models.PositiveIntegerField("RPO target (minutes)", default=60)
    rpo_max_minutes = models.PositiveIntegerField("RPO maximum tolerable (minutes)", default=4 * 60)
    availability_target = models.DecimalField(max_digits=6, decimal_places=3, default=99.9)
    availability_min = models.DecimalField(max_digits=6, decimal_places=3, default=99.5)
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="An IANA zone, e.g. Europe/Paris: the organisation's local time for "
        "schedules, reminders and what counts as today.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = history()

    class Meta:
        verbose_name = "organisation profile"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.rto_target_minutes > self.rto_max_minutes:
            errors["rto_target_minutes"] = "The RTO target cannot exceed the maximum tolerable."
        if self.rpo_target_minutes > self.rpo_max_minutes:
            errors["rpo_target_minutes"] = "The RPO target cannot exceed the maximum tolerable."
        if errors:
            raise ValidationError(errors)
