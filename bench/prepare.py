"""Seed the bench database and sign the bench user in: prints the ids run.py needs as JSON.

Run by bench/run.py as `python -m bench.prepare SIZE` with DJANGO_SETTINGS_MODULE and
DATABASE_URL pointing at the bench's own database; `python -m bench.prepare SIZE --reuse`
signs in on a database seeded before (kept with `run.py --keep`) without seeding it again.
"""

from __future__ import annotations

import json
import sys

import django


def main() -> None:
    django.setup()
    from django.test import Client

    from bench.seed import RUNBOOK_VERSIONS, seed, seed_runbooks, settle, users
    from drills.models import DrillReport

    size = int(sys.argv[1])
    if "--reuse" in sys.argv[2:]:
        runbook_version = RUNBOOK_VERSIONS - 1  # what seed_runbooks() returned
    else:
        seed(size)
        runbook_version = seed_runbooks()
        settle()
    client = Client()
    client.force_login(users()["lead"])
    report = DrillReport.objects.filter(status="submitted").order_by("-pk").first()
    ids = {
        "session": client.cookies["sessionid"].value,
        "report": report.pk,
        "runbook_document": 1,
        "runbook_version": runbook_version,
    }
    print(json.dumps(ids))


if __name__ == "__main__":
    main()
