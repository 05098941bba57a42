"""The catalogue: what the business runs and what it may lose.

Services, data stores and external providers with their recovery objectives, and the one
organisation profile whose objectives new entries default to. Every app points here.
"""

from django.core.exceptions import ValidationError
from django.db import models

from bcp_portal.catalogue import regulatory
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


def validate_jurisdictions(value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("Give a list of codes, e.g. FR, GB, US-CA.")
    bad = regulatory.unknown_jurisdictions(value)
    if bad:
        raise ValidationError(
            f"Not a known jurisdiction code: {', '.join(bad)}. Use an ISO 3166-1 country code "
            "such as FR, GB or US, or a US state such as US-CA (upper case)."
        )


def validate_jurisdiction(value: str) -> None:
    validate_jurisdictions([value])


def validate_statuses(value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("Give a list of status codes.")
    bad = [v for v in value if v not in regulatory.ENTITY_STATUSES]
    if bad:
        raise ValidationError(
            f"Unknown status: {', '.join(bad)}. Known: {', '.join(regulatory.ENTITY_STATUSES)}."
        )


def validate_holiday_calendars(value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("Give a list of calendar codes, e.g. FR, DE-BY, US.")
    bad = [v for v in value if not regulatory.is_holiday_calendar_code(v)]
    if bad:
        raise ValidationError(
            f"Not a holiday calendar code: {', '.join(bad)}. Use a country code with an "
            "optional subdivision, e.g. FR, DE-BY, US, GB-ENG."
        )


class LegalEntity(models.Model):
    """A legal entity of the organisation: where it is, what it is under each regime.

    The notification clocks (`compliance`) read these to decide which regimes apply to an
    incident, and whose holidays and time zone count its business days and days.
    """

    profile = models.ForeignKey(
        OrganisationProfile, on_delete=models.PROTECT, related_name="entities"
    )
    name = models.CharField(max_length=200, unique=True)
    registration = models.CharField(
        max_length=100, blank=True, help_text="Company number, LEI or similar."
    )
    jurisdictions = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_jurisdictions],
        help_text="Where it is established or operates: ISO 3166 codes such as FR, GB, US-CA.",
    )
    statuses = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_statuses],
        help_text="Its status under each regime, e.g. dora_financial_entity, sec_registrant.",
    )
    holiday_calendars = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_holiday_calendars],
        help_text="Public holiday calendars for business days and relief: FR, DE-BY, US...",
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="An IANA zone: where its calendar days end.",
    )
    is_active = models.BooleanField(default=True)

    history = history()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "legal entities"

    def __str__(self) -> str:
        return self.name


class CompetentAuthority(models.Model):
    """An authority the organisation notifies: a data protection authority, a regulator."""

    name = models.CharField(max_length=200)
    jurisdiction = models.CharField(
        max_length=10, validators=[validate_jurisdiction], help_text="FR, GB..."
    )
    regimes = models.JSONField(
        default=list,
        blank=True,
        help_text="The notification regimes it receives (keys of the regimes data file).",
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    portal_url = models.URLField("reporting portal", blank=True)
    address = models.TextField(blank=True, max_length=1000)
    notes = models.TextField(blank=True, max_length=4000)
    is_active = models.BooleanField(default=True)

    history = history()

    class Meta:
        ordering = ["jurisdiction", "name"]
        verbose_name_plural = "competent authorities"
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="authority_unique_per_jurisdiction"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.jurisdiction})"
