"""Demo incidents: a realistic year, so the DR metrics have something to show.

About ten incidents a month over the last twelve months, across the runbook's scenarios,
the demo catalogue's services and the four severities, declared through the lifecycle
service with their times typed after the fact (as a team records an incident it handled):
most closed, one restored and awaiting its post-mortem, two still open; a few with the
onset unknown, the data-loss window established for the data incidents, one security
incident and one data corruption involving personal data, partial degradations (not
outages). The choices come from a seeded generator, so every run draws the same year; a
second run adds nothing (the first demo incident's title is the marker).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from bcp_portal.catalogue.models import Service
from incidents.models import Incident, IncidentType
from incidents.services.lifecycle import incident_declare

MARKER = "Checkout latency above 2 s for EU customers"
INCIDENTS_PER_MONTH = 10

# type key: (weight, services it takes down (names in the demo catalogue), titles)
SCENARIOS: dict[str, tuple[int, list[list[str]], list[str]]] = {
    "partial-degradation": (
        34,
        [["Payments API"], ["Consultations"], ["Order management"], ["Authentication"]],
        [
            MARKER,
            "Slow search results",
            "Elevated 5xx rate on the mobile API",
            "Video consultations dropping for some users",
            "Delayed order confirmations",
        ],
    ),
    "application-outage": (
        18,
        [["Consultations"], ["Order management"], ["Authentication"]],
        [
            "Bad deploy took the web app down",
            "Application pods crash-looping after a config push",
            "Sign-in unavailable after a certificate expired",
        ],
    ),
    "payment-provider-outage": (
        12,
        [["Stripe", "Payments API"]],
        ["Stripe API timeouts", "Card payments failing at the provider"],
    ),
    "communication-provider-outage": (
        10,
        [["Twilio"]],
        ["SMS verification codes not delivered", "Appointment reminders not sent"],
    ),
    "storage-outage": (
        8,
        [["Media storage"]],
        ["Media bucket unreachable", "Uploads failing with access denied"],
    ),
    "database-outage": (
        8,
        [["PostgreSQL primary", "Order management"], ["PostgreSQL primary", "Authentication"]],
        [
            "Primary database failover",
            "Database connections exhausted",
            "Primary database disk full",
        ],
    ),
    "data-corruption": (
        3,
        [["PostgreSQL primary"]],
        ["Migration corrupted order totals"],
    ),
    "security-incident": (2, [["Authentication"]], ["Credential-stuffing attack on sign-in"]),
    "other": (5, [[]], ["Office network outage", "Status page provider down"]),
}

# severity: (weight, restore minutes range, users affected range)
SEVERITIES = {
    "P0": (6, (45, 360), (5_000, 60_000)),
    "P1": (20, (20, 240), (500, 8_000)),
    "P2": (40, (10, 150), (20, 900)),
    "P3": (34, (5, 75), (0, 60)),
}
RPO_BASIS = {
    "database-outage": "wal",
    "data-corruption": "backup",
    "storage-outage": "backup",
}


def load_incident_year(out: Any) -> None:
    """Declare a year of incidents (about 120), once."""
    if Incident.objects.filter(title=MARKER).exists():
        return
    users = get_user_model().objects.filter(username__in=["sre", "srelead"]).order_by("username")
    people = {user.username: user for user in users}
    lead, sre = people.get("srelead"), people.get("sre")
    if lead is None or sre is None:
        return
    services = {s.name: s for s in Service.objects.all()}
    types = {t.key: t for t in IncidentType.objects.all()}
    now = timezone.now().replace(second=0, microsecond=0)
    draw = random.Random(2026)
    created, total = 0, 12 * INCIDENTS_PER_MONTH
    # Oldest first, so the yearly references count up with time.
    for index in range(total):
        days_ago = 365 - index * 365 / total - draw.uniform(0, 2.5)
        detected = now - dt.timedelta(days=max(days_ago, 0.1), minutes=draw.randint(0, 600))
        key = _pick(draw, {k: v[0] for k, v in SCENARIOS.items()})
        if key not in types:
            continue
        _, outages, titles = SCENARIOS[key]
        title = MARKER if index == 0 else draw.choice(titles)
        severity = _pick(draw, {k: v[0] for k, v in SEVERITIES.items()})
        if key in ("data-corruption", "security-incident") and severity in ("P2", "P3"):
            severity = "P1"
        # The last two are still open; the one before is restored, awaiting its post-mortem.
        stage = "open" if index >= total - 2 else "restored" if index == total - 3 else "closed"
        fields = _times(draw, detected, severity, now, stage=stage)
        fields.update(_impact(draw, key, severity))
        affected = [services[name] for name in draw.choice(outages) if name in services]
        incident_declare(
            actor=lead,
            title=title,
            description=f"Demo incident: {types[key].name.lower()}.",
            incident_type=types[key],
            severity=severity,
            services=affected,
            responders=[sre],
            commander=lead if severity in ("P0", "P1") else sre,
            detected_at=detected,
            **fields,
        )
        created += 1
    out.write(f"Incidents: declared {created} over the last twelve months")


def _pick(draw: random.Random, weights: dict[str, int]) -> str:
    return draw.choices(list(weights), weights=list(weights.values()))[0]


def _times(
    draw: random.Random, detected: dt.datetime, severity: str, now: dt.datetime, *, stage: str
) -> dict[str, Any]:
    """Onset (unknown one time in seven), acknowledgement, response, restore and close."""
    fields: dict[str, Any] = {}
    if draw.random() > 1 / 7:
        fields["started_at"] = detected - dt.timedelta(minutes=draw.randint(1, 25))
    fields["acknowledged_at"] = detected + dt.timedelta(minutes=draw.randint(1, 12))
    fields["response_started_at"] = fields["acknowledged_at"] + dt.timedelta(
        minutes=draw.randint(0, 10)
    )
    if stage == "open":
        return fields  # still being handled
    low, high = SEVERITIES[severity][1]
    restored = detected + dt.timedelta(minutes=draw.randint(low, high))
    if restored >= now:
        return fields
    fields["restored_at"] = restored
    closed = restored + dt.timedelta(days=draw.randint(1, 4))
    if stage == "closed" and closed < now:
        fields["closed_at"] = closed
    return fields


def _impact(draw: random.Random, key: str, severity: str) -> dict[str, Any]:
    low, high = SEVERITIES[severity][2]
    fields: dict[str, Any] = {
        "affected_users": draw.randint(low, high) if draw.random() > 0.15 else None,
        "involves_personal_data": key in ("data-corruption", "security-incident"),
        "involves_payment_data": key == "payment-provider-outage" and severity == "P0",
        "high_financial_impact": key == "payment-provider-outage" and severity in ("P0", "P1"),
        "business_impact": "critical" if severity in ("P0", "P1") else "important",
    }
    if key == "payment-provider-outage":
        fields["lost_transactions"] = draw.randint(10, 2_000)
    if key in RPO_BASIS:
        fields["rpo_actual_minutes"] = draw.choice([0, 5, 15, 30, 45, 90])
        fields["rpo_basis"] = RPO_BASIS[key]
    elif draw.random() < 0.3:
        fields["rpo_actual_minutes"] = 0  # nothing lost, as the logs show
        fields["rpo_basis"] = "logs"
    return fields
