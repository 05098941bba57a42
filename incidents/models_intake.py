"""Alert intake: the monitors that may open incidents, how their labels map, what they sent.

Imported at the end of `incidents/models.py` (Django finds models there); kept apart so the
incident models stay readable.

- `IntakeSource` (historised): one monitor (an Alertmanager, a generic JSON sender) with its
  own revocable token, of which only the SHA-256 is kept; the SRE Lead manages them.
- `IntakeMapping` (historised): the source's mapping table, label = value (or "*") to a
  severity, a catalogue service, an incident type; the first matching row in `position`
  order decides.
- `AlertGroup` and `IntakeAlert` (operational, not historised): machine input as received.
  A group is one (source, group key) and points at the incident it feeds while that incident
  is open; each alert row is one state an alert was seen in (firing or resolved), appended
  when the state changes, never edited. The incident's timeline (historised) records what
  the alerts changed, with who (the intake account) and the request id.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from bcp_portal.catalogue.models import Service
from bcp_portal.core.audit import history
from bcp_portal.core.links import detail_url
from incidents.models import Severity  # defined before incidents.models imports this module

TOKEN_PREFIX = "bcpi_"
ANY_VALUE = "*"


class IntakeSource(models.Model):
    class Kind(models.TextChoices):
        ALERTMANAGER = "alertmanager", "Prometheus Alertmanager (webhook v4)"
        GENERIC = "generic", "Generic JSON"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ALERTMANAGER)
    description = models.CharField(max_length=500, blank=True)
    default_incident_type = models.ForeignKey(
        "incidents.IncidentType",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The type of an incident no mapping row gives one.",
    )
    default_severity = models.CharField(
        max_length=2,
        choices=Severity.choices,
        default=Severity.P2,
        help_text="The severity when no mapping row matches.",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=16, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = history()

    # Not a column: the mapping table in order, when it was read with the source
    # (`services.intake.intake_source_for_token`); None otherwise.
    mapping_table: list[IntakeMapping] | None = None

    class Meta:
        ordering = ["name"]
        verbose_name = "alert intake source"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return detail_url("intake:source-detail", self.pk)

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)


class IntakeMapping(models.Model):
    """One row of a source's mapping table: when an alert's `label` is `value` (or any value,
    "*", as long as the label is present), the alert takes this row's severity, service and
    type; a blank one falls back to the source's default (service: none)."""

    source = models.ForeignKey(IntakeSource, on_delete=models.CASCADE, related_name="mappings")
    position = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)], help_text="Rows are tried in this order."
    )
    label = models.CharField(max_length=128, help_text="A label name, e.g. severity.")
    value = models.CharField(
        max_length=1024, help_text='The exact value, or "*" for any value of the label.'
    )
    severity = models.CharField(
        max_length=2,
        choices=Severity.choices,
        blank=True,
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    incident_type = models.ForeignKey(
        "incidents.IncidentType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = history()

    class Meta:
        ordering = ["source", "position", "pk"]
        verbose_name = "alert mapping row"
        constraints = [
            models.UniqueConstraint(fields=["source", "position"], name="intake_mapping_position"),
        ]

    def __str__(self) -> str:
        return f"{self.label}={self.value}"

    def matches(self, labels: dict[str, str]) -> bool:
        if self.label not in labels:
            return False
        return self.value == ANY_VALUE or labels[self.label] == self.value


class AlertGroup(models.Model):
    """One (source, group key): Alertmanager's groupKey, or a generic event's `key`.

    `incident` is the incident the group feeds while it is open; once that incident is
    closed, the next firing alert opens a new one and the group points there.
    """

    source = models.ForeignKey(IntakeSource, on_delete=models.PROTECT, related_name="groups")
    key_hash = models.CharField(max_length=64)
    key = models.TextField()
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "key_hash"], name="intake_group_once")
        ]

    def __str__(self) -> str:
        return f"{self.source_id}: {self.key[:60]}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class IntakeAlert(models.Model):
    """An alert in one state, as received: appended when its fingerprint is new to the
    incident or its state changed (firing again after resolving, resolved), never edited."""

    class Status(models.TextChoices):
        FIRING = "firing", "Firing"
        RESOLVED = "resolved", "Resolved"

    group = models.ForeignKey(AlertGroup, on_delete=models.PROTECT, related_name="alerts")
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="intake_alerts"
    )
    fingerprint = models.CharField(max_length=128)
    status = models.CharField(max_length=8, choices=Status.choices)
    title = models.CharField(max_length=500)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    labels = models.JSONField(default=dict)
    annotations = models.JSONField(default=dict)
    generator_url = models.URLField(max_length=2000, blank=True)
    severity = models.CharField(max_length=2)
    received_at = models.DateTimeField()
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["received_at", "pk"]
        indexes = [
            models.Index(fields=["incident", "fingerprint", "-id"], name="intake_alert_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                name="intake_alert_resolved_has_end",
                condition=Q(status="firing") | Q(ends_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.title}"
