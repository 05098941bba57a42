"""Seed incidents for the bench with COPY, in chunks: bench-only, not the product.

`seed_incidents(count)` writes `count` incidents spread evenly over the ten years before
now (so any year holds a tenth of them: a year of 100,000 at 1,000,000), each affecting one
or two of the bench's services, with three timeline entries each. About 2 % are still open
(the newest ones), 5 % of the rest restored but not closed; times are realistic (detected
0-30 min after onset, restored 10 min to 10 h later), severities and types rotate. Every
tenth closed incident has a post-mortem (a third of them published), written the day after.
COPY bypasses the incident services, so seeding ends by rebuilding the DR metrics' monthly
summary from what it wrote (`incidents.metric_summary.rebuild`), as migration 0009 does for a
live database: part of the seeding, not of any timed request.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from bcp_portal.catalogue.models import Service
from bench.seed import copy_rows, users
from incidents import metric_summary
from incidents.models import Incident, IncidentService, IncidentType, TimelineEntry
from incidents.models_postmortems import PostMortem

CHUNK = 50_000
YEARS = 10


@transaction.atomic
def seed_incidents(count: int) -> None:
    people = list(users().values())
    types = list(IncidentType.objects.order_by("pk").values_list("pk", flat=True))
    services = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    if not types or not services:
        raise SystemExit("No incident types or services: migrate and seed drills first.")
    now = timezone.now().replace(second=0, microsecond=0)
    step = timedelta(days=365 * YEARS) / max(count, 1)
    open_from = count - max(count // 50, 1)  # the newest 2 % are open
    entry_id = 0
    for start in range(1, count + 1, CHUNK):
        incidents, links, entries, postmortems = [], [], [], []
        for i in range(start, min(start + CHUNK, count + 1)):
            detected = now - step * (count - i) - timedelta(minutes=5)
            onset = detected - timedelta(minutes=i % 31) if i % 4 else None
            is_open = i > open_from
            restored = None if is_open else detected + timedelta(minutes=10 + (i * 37) % 600)
            closed = restored + timedelta(hours=2) if restored and i % 20 else None
            status = (
                ["detected", "responding", "mitigated"][i % 3]
                if is_open
                else ("closed" if closed else "restored")
            )
            acknowledged = detected + timedelta(minutes=1 + i % 14)
            incidents.append(
                {
                    "id": i,
                    "reference": f"INC-B-{i:07d}",
                    "title": f"Incident {i}: elevated errors on checkout",
                    "description": "Customers saw errors; the primary was failed over.",
                    "incident_type_id": types[i % len(types)],
                    "severity": ["P0", "P1", "P2", "P2", "P3", "P3"][i % 6],
                    "business_impact": ["critical", "important", "moderate", "low"][i % 4],
                    "commander_id": people[i % len(people)].pk,
                    "involves_personal_data": i % 13 == 0,
                    "involves_payment_data": i % 17 == 0,
                    "affected_users": (i * 7919) % 5000 if i % 3 else None,
                    "started_at": onset,
                    "detected_at": detected,
                    "acknowledged_at": acknowledged if not is_open or i % 2 else None,
                    "response_started_at": acknowledged if status != "detected" else None,
                    "restored_at": restored,
                    "closed_at": closed,
                    "rpo_actual_minutes": (i % 90) if i % 5 == 0 else None,
                    "rpo_basis": "backup" if i % 5 == 0 else "",
                    "status": status,
                    "created_by_id": people[0].pk,
                }
            )
            if closed and i % 10 == 0:
                published = i % 30 == 0
                postmortems.append(
                    {
                        "id": i // 10,
                        "incident_id": i,
                        "title": f"Post-mortem of incident {i}",
                        "summary": "The primary database ran out of connections.",
                        "root_cause": "A connection pool sized for the old traffic.",
                        "status": "published" if published else "draft",
                        "author_id": people[i % len(people)].pk,
                        "published_by_id": people[0].pk if published else None,
                        "published_at": closed + timedelta(days=1) if published else None,
                        "created_at": closed + timedelta(hours=20),
                        "updated_at": closed + timedelta(days=1),
                    }
                )
            links.append(
                {"id": 2 * i - 1, "incident_id": i, "service_id": services[i % len(services)]}
            )
            if i % 3 == 0:
                links.append(
                    {"id": 2 * i, "incident_id": i, "service_id": services[(i + 7) % len(services)]}
                )
            for at, kind, event in (
                (detected, "status", "Incident declared"),
                (acknowledged, "note", "Paged the primary; failing over"),
                (restored or acknowledged, "status", "Status: Responding → Restored"),
            ):
                entry_id += 1
                entries.append(
                    {
                        "id": entry_id,
                        "incident_id": i,
                        "at": at,
                        "kind": kind,
                        "event": event,
                        "owner_id": people[i % len(people)].pk,
                        "created_by_id": people[0].pk,
                    }
                )
        copy_rows(Incident, incidents)
        copy_rows(IncidentService, links)
        copy_rows(TimelineEntry, entries)
        if postmortems:
            copy_rows(PostMortem, postmortems)
    metric_summary.rebuild()


OVERRIDES = 30


def seed_oncall() -> None:
    """A weekly rotation of the bench's people (lead and SREs) and 30 one-day overrides,
    made through the services (a handful of rows: the page reads them, not a big table)."""
    from incidents.services.oncall import override_create, rotation_create

    people = list(users().values())
    lead = people[0]
    start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=3)
    rotation = rotation_create(
        actor=lead, name="Bench on-call", starts_at=start, members=people, shift_days=7
    )
    for day in range(OVERRIDES):
        at = start + timedelta(days=day + 1)
        override_create(
            actor=lead,
            rotation=rotation,
            user=people[1 + day % (len(people) - 1)],
            slot="secondary" if day % 2 else "primary",
            starts_at=at,
            ends_at=at + timedelta(days=1),
            reason="Swap: a conference",
        )
