"""The DR metrics' monthly summary: derived, operational data (no history).

`IncidentMetricMonth` holds, per organisation month (of detection), severity and service,
the sums and counts `incidents.metrics.Figures` is made of. It is never edited by a person:
the incident services keep it in the same transaction as the incident change
(`incidents.metric_summary`), the targets it depends on (a service's, a type's expected RTO,
the organisation's and its time zone) keep it through signals, and
`manage.py rebuild_incident_metrics` (also run by migration 0009) rebuilds it from the
incidents. Being derived, it has no history table: the incidents' own history is the record.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

SECONDS = {"max_digits": 24, "decimal_places": 6, "default": 0}


class IncidentMetricMonth(models.Model):
    """One organisation month, severity and service (`service` 0: every incident, with or
    without services; otherwise the incidents listing that catalogue service): the sums and
    counts of the monthly view. Seconds are kept exact (as the database's EXTRACT gives
    them), so a sum of months equals the live sum to the microsecond."""

    EVERY_SERVICE = 0

    month = models.DateField(help_text="The first of the organisation month of detection.")
    severity = models.CharField(max_length=2)
    service = models.PositiveIntegerField(help_text="A catalogue service's id, 0 for all.")
    incidents = models.BigIntegerField(default=0)
    restored = models.BigIntegerField(default=0)
    rto_seconds = models.DecimalField(**SECONDS)
    rto_within_target = models.BigIntegerField(default=0)
    rto_within_max = models.BigIntegerField(default=0)
    rpo_known = models.BigIntegerField(default=0)
    rpo_total = models.BigIntegerField(default=0)
    rpo_within_target = models.BigIntegerField(default=0)
    rpo_within_max = models.BigIntegerField(default=0)
    users_known = models.BigIntegerField(default=0)
    users_total = models.BigIntegerField(default=0)
    detect_known = models.BigIntegerField(default=0)
    detect_seconds = models.DecimalField(**SECONDS)
    recover_seconds = models.DecimalField(**SECONDS)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "month", "severity"], name="metric_month_unique"
            ),
        ]
        indexes = [
            # The upkeep drops the rows it emptied: found without reading the table.
            models.Index(fields=["id"], condition=Q(incidents=0), name="metric_month_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.severity} service {self.service}"


SUM_FIELDS = (
    "incidents",
    "restored",
    "rto_seconds",
    "rto_within_target",
    "rto_within_max",
    "rpo_known",
    "rpo_total",
    "rpo_within_target",
    "rpo_within_max",
    "users_known",
    "users_total",
    "detect_known",
    "detect_seconds",
    "recover_seconds",
)


class ServiceOutageIsland(models.Model):
    """A service's merged outage (overlapping or touching outages of its incidents, partial
    degradations excepted), for every severity (`severity` "all") and per severity, with
    the total length and number of the service's earlier islands: availability over any
    window is then two lookups per service (the island at its start, the last one before
    its end). `ends_at` is empty for the island of outages not restored yet (it runs to
    "now", and takes in every later outage). Derived, operational data kept with
    `IncidentMetricMonth` by `incidents.metric_summary` (no history)."""

    EVERY_SEVERITY = "all"

    service = models.PositiveIntegerField()
    severity = models.CharField(max_length=3)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True)
    before_seconds = models.DecimalField(**SECONDS)
    before_count = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["service", "severity", "starts_at"], name="outage_island_start")
        ]

    def __str__(self) -> str:
        return f"service {self.service} {self.severity} from {self.starts_at:%Y-%m-%d %H:%M}"
