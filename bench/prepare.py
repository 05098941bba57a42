"""Seed the bench database and sign the bench user in: prints the ids run.py needs as JSON.

Run by bench/run.py as `python -m bench.prepare SIZE` with DJANGO_SETTINGS_MODULE and
DATABASE_URL pointing at the bench's own database.
"""

from __future__ import annotations

import json
import sys

import django


def main() -> None:
    django.setup()
    from django.test import Client

    from bench.seed import seed, seed_runbooks, settle, users
    from drills.models import DrillReport

    size = int(sys.argv[1])
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
