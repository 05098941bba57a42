"""Seed notification obligations for the bench with COPY: bench-only, not the product.

`seed_obligations(count, incidents)` writes `count` obligations over the newest incidents,
five stages each (the GDPR, DORA and NIS2 stages the engine stores), as the desk reads them
whatever wrote them: 40 % open (their due times spread from two days overdue to a month
ahead, one in twenty provisional, one in ten with no fixed period, one in fifteen
unverified), the rest submitted, not applicable or waived. COPY bypasses the services and
history (history tables stay empty), as the other seeding does: what is measured is how the
desk reads a large table. `bench_dpo()` is the DPO whose session reads the desk.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from bcp_portal.core import roles
from bench.seed import PASSWORD, copy_rows
from compliance.models_notifications import Obligation

CHUNK = 50_000
STAGES = (
    ("eu_gdpr_art33_art34", "GDPR personal data breach notification", "supervisory_authority",
     "Notification to supervisory authority", "Competent supervisory authority", 72),
    ("eu_gdpr_art33_art34", "GDPR personal data breach notification", "data_subjects",
     "Communication to data subjects", "Affected data subjects", None),
    ("eu_dora_major_ict_incident", "DORA major ICT-related incident reporting",
     "initial_notification", "Initial notification", "Relevant competent authority", 4),
    ("eu_dora_major_ict_incident", "DORA major ICT-related incident reporting",
     "intermediate_report", "Intermediate report", "Relevant competent authority", 72),
    ("eu_nis2_art23", "NIS2 significant incident reporting", "early_warning", "Early warning",
     "CSIRT or competent authority", 24),
)  # fmt: skip
CLOSED = ("submitted", "not_applicable", "waived")


def bench_dpo() -> User:
    dpo, _ = User.objects.get_or_create(
        username="bench-dpo", defaults={"first_name": "Bench", "last_name": "DPO"}
    )
    dpo.set_password(PASSWORD)
    dpo.save()
    dpo.groups.add(Group.objects.get(name=roles.DPO))
    return dpo


@transaction.atomic
def seed_obligations(count: int, incidents: int) -> None:
    now = timezone.now().replace(microsecond=0)
    count = min(count, incidents * len(STAGES))  # one row per incident and stage
    first_incident = incidents - (count - 1) // len(STAGES)
    for start in range(0, count, CHUNK):
        rows = []
        for i in range(start, min(start + CHUNK, count)):
            regime, regime_name, stage, stage_name, notify, hours = STAGES[i % len(STAGES)]
            incident = first_incident + i // len(STAGES)
            is_open = i % 5 < 2
            no_period = hours is None or i % 10 == 7
            provisional = is_open and i % 20 == 0
            due = None if no_period else now + timedelta(minutes=(i * 7919) % (32 * 1440) - 2880)
            rows.append(
                {
                    "id": i + 1,
                    "incident_id": incident,
                    "regime_key": regime,
                    "stage_key": stage,
                    "regime_name": regime_name,
                    "stage_name": stage_name,
                    "notify": notify,
                    "entity": "Bench SAS",
                    "status": "open" if is_open else CLOSED[i % 3],
                    "counting": "no_fixed_period" if no_period else "elapsed_hours",
                    "period": None if no_period else hours,
                    "anchor": "detection" if provisional else "controller_awareness",
                    "anchor_at": now - timedelta(hours=2),
                    "provisional": provisional,
                    "due_at": due,
                    "local_zone": "Europe/Paris",
                    "rule": "Without undue delay and, where feasible, not later than 72 hours.",
                    "basis": "Elapsed hours from the anchor.",
                    "reason": "Applies to the bench entity.",
                    "verified": i % 15 != 0,
                    "submitted_at": now - timedelta(hours=1) if not is_open else None,
                }
            )
        copy_rows(Obligation, rows)
