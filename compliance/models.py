"""Compliance: the organisation profile now; runbooks, approvals and clocks later."""

from django.core.exceptions import ValidationError
from django.db import models

from bcp_portal.audit import history


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
    time_zone = models.CharField(max_length=64, default="UTC")
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
