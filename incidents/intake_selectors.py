"""Reads of alert intake shared by its pages and the incident page's alerts panel."""

from __future__ import annotations

from django.db.models import Count, F, QuerySet

from bcp_portal.core.typehints import Actor
from incidents.models import Incident, IntakeAlert, IntakeSource

# The alerts an incident page lists (latest first); the panel says when there are more.
INCIDENT_ALERTS_SHOWN = 50


def intake_source_list(*, user: Actor) -> QuerySet[IntakeSource]:
    """Live sources first, then revoked ones, by name; with their mapping rows' count."""
    return (
        IntakeSource.objects.select_related("default_incident_type", "created_by")
        .annotate(mapping_rows=Count("mappings"))
        .order_by(F("revoked_at").asc(nulls_first=True), "name")
    )


def intake_source_detail(*, user: Actor, pk: int) -> IntakeSource:
    return IntakeSource.objects.select_related("default_incident_type", "created_by").get(pk=pk)


def incident_alerts(*, user: Actor, incident: Incident) -> list[IntakeAlert]:
    """The alert states recorded on `incident`, latest first, with their source (one query)."""
    if not user.has_perm("incidents.view_intakealert"):
        return []
    return list(
        IntakeAlert.objects.filter(incident=incident)
        .select_related("group__source")
        .only(
            "fingerprint",
            "status",
            "title",
            "starts_at",
            "ends_at",
            "severity",
            "received_at",
            "generator_url",
            "labels",
            "group__source__name",
            "incident_id",
        )
        .order_by("-received_at", "-pk")[: INCIDENT_ALERTS_SHOWN + 1]
    )
