"""Demo: one incident being handled, declared by the demo SRE, so the incident pages have
something to show (a year of incidents for the metrics is a demo step of its own, and runs
first). Declared once: its title is the marker, so a second run adds nothing."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from bcp_portal.catalogue.models import Service
from incidents.models import Incident, IncidentType
from incidents.services.lifecycle import incident_declare, incident_set_status, timeline_add

TITLE = "Checkout latency above its objective"


def load_demo_incident(out) -> None:
    sre = get_user_model().objects.filter(username="sre").first()
    if sre is None or Incident.objects.filter(title=TITLE).exists():
        return
    now = timezone.now()
    incident = incident_declare(
        actor=sre,
        title=TITLE,
        description="p99 latency of the checkout API above 2 s since the last deploy.",
        incident_type=IncidentType.objects.get(key="partial-degradation"),
        severity="P2",
        detected_at=now - timedelta(minutes=40),
        started_at=now - timedelta(minutes=55),
        commander=sre,
        services=list(Service.objects.order_by("name")[:1]),
        responders=[sre],
    )
    incident_set_status(
        actor=sre, incident=incident, status="responding", at=now - timedelta(minutes=35)
    )
    timeline_add(
        actor=sre,
        incident=incident,
        event="Latency traced to the new payment client's connection pool",
        action_taken="Rolled the deploy back on one node to compare",
        at=now - timedelta(minutes=20),
    )
    out.write(f"Incidents: declared {incident.reference} (responding)")
