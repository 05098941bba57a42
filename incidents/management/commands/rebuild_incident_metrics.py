"""`manage.py rebuild_incident_metrics`: the DR metrics' monthly summary again from the
incidents (idempotent; the services keep it up to date, this is for a summary that a change
made outside them left behind, or after a restore)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS

from incidents import metric_summary


class Command(BaseCommand):
    help = "Rebuild the DR metrics' monthly summary from the incidents."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        rows = metric_summary.rebuild(using=options["database"])
        self.stdout.write(f"DR metrics summary rebuilt: {rows} rows.")
