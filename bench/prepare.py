"""Seed the bench database and sign the bench user in: prints the ids run.py needs as JSON.

Run by bench/run.py as `python -m bench.prepare SIZE` with DJANGO_SETTINGS_MODULE and
DATABASE_URL pointing at the bench's own database; `python -m bench.prepare SIZE --reuse`
signs in on a database seeded before (kept with `run.py --keep`) without seeding it again.

Incidents do not follow the drill size one for one: issue #10 measures the incident rows at
1,000 and 1,000,000 incidents, so `incident_count(size)` maps the small size (1,000 drills)
to 1,000 incidents and the large one (100,000 drills) to 1,000,000 incidents, ten years of
them (a year of 100,000, what the metrics page reads); any other size (the test's tiny run)
seeds as many incidents as drills. The count is printed with the ids, and the report's
"rows" column shows it on the incident rows.

Obligations (the compliance desk's rows, issue #11) follow the drill size: 1,000 and
100,000, over the newest incidents (bench/seed_notifications.py); the desk is read by a
bench DPO, signed in too (`dpo_session`).

It also makes an Alertmanager intake source (its raw token is printed for the intake rows)
whose two groups run.py posts to.
"""

from __future__ import annotations

import json
import secrets
import sys

import django

# Drill size -> incident count (issue #10, item 12); other sizes: as many as drills.
INCIDENTS_AT_SIZE = {1_000: 1_000, 100_000: 1_000_000}


def incident_count(size: int) -> int:
    return INCIDENTS_AT_SIZE.get(size, size)


def intake_token() -> str:
    """A new Alertmanager source's raw token (made through the service, as an SRE Lead)."""
    from bench.seed import users
    from incidents.models import IncidentType
    from incidents.services.intake_sources import intake_source_create

    _, token = intake_source_create(
        actor=users()["lead"],
        name=f"Bench Alertmanager {secrets.token_hex(4)}",  # a new one on each --reuse
        kind="alertmanager",
        default_incident_type=IncidentType.objects.order_by("pk").first(),
        default_severity="P3",
    )
    return token


def main() -> None:
    django.setup()
    from django.test import Client

    from bcp_portal.dashboard import boxes_for
    from bench.seed import RUNBOOK_VERSIONS, seed, seed_runbooks, settle, users
    from bench.seed_incidents import seed_incidents, seed_oncall
    from bench.seed_notifications import bench_dpo, seed_obligations
    from compliance.models_notifications import Obligation
    from drills.models import DrillReport

    size = int(sys.argv[1])
    incidents = incident_count(size)
    if "--reuse" in sys.argv[2:]:
        runbook_version = RUNBOOK_VERSIONS - 1  # what seed_runbooks() returned
    else:
        seed(size)
        runbook_version = seed_runbooks()
        seed_incidents(incidents)
        seed_oncall()
        seed_obligations(size, incidents)
        settle()
    # Before signing in: users() sets the lead's password again, which ends older sessions.
    token = intake_token()
    # The dashboard's boxes the bench SRE Lead sees: run.py times each box's panel.
    panels = [box.name for box in boxes_for(users()["lead"])]
    # The compliance desk and its panels are the DPO's: a session of their own.
    dpo_client = Client()
    dpo_client.force_login(bench_dpo())
    client = Client()
    client.force_login(users()["lead"])
    report = DrillReport.objects.filter(status="submitted").order_by("-pk").first()
    ids = {
        "session": client.cookies["sessionid"].value,
        "report": report.pk,
        "runbook_document": 1,
        "runbook_version": runbook_version,
        "incidents": incidents,
        "intake_token": token,
        "panels": panels,
        "dpo_session": dpo_client.cookies["sessionid"].value,
        "obligations": Obligation.objects.count(),
    }
    print(json.dumps(ids))


if __name__ == "__main__":
    main()
