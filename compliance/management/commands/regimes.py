"""The notification regimes data file, from the command line.

    manage.py regimes --compare PATH
    manage.py regimes --load

--compare PATH: walk every stage of every regime in a reference file (a JSON list of regimes
in the shape of the research notes: `id`, stages with `name`, `counting`, `relative_to`) and
say for each whether the project's data gives it the same counting method and clock anchor
(`compliance.deadlines.compare` says how names are normalised). Exit 0 when all match, 1
with the mismatches listed; a regime or stage missing from the data is a mismatch.

--load: add or update one NotificationRegime row per regime of the project's data file
(`compliance.regime_loader.regimes_load`, which also runs after every migrate): idempotent,
and never changing whether a regime is enabled or an internal rule's edited parameters.

Each action is one option of the mutually exclusive group below and one `_<action>` method;
another action (loading the file into the database) joins the group the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance.deadlines.compare import ReferenceError, compare, read_reference
from compliance.deadlines.regimes import RegimeDataError, load_regimes


class Command(BaseCommand):
    help = "Work with the notification regimes data file (compare it with a reference)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_mutually_exclusive_group(required=True)
        actions.add_argument(
            "--compare",
            metavar="PATH",
            help="A reference file: check each of its stages has the same counting and anchor.",
        )
        actions.add_argument(
            "--load",
            action="store_true",
            help="Load the data file's regimes into the database (idempotent; keeps what "
            "administrators chose).",
        )
        parser.add_argument(
            "--data",
            metavar="PATH",
            default=None,
            help="With --compare: our regimes file to compare (default: the project's).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["compare"]:
            self._compare(Path(options["compare"]), options["data"])
        elif options["load"]:
            self._load()

    def _compare(self, path: Path, data: str | None) -> None:
        try:
            reference = read_reference(path)
            regimes = load_regimes(data)
        except (ReferenceError, RegimeDataError) as exc:
            raise CommandError(str(exc)) from exc
        report = compare(reference, regimes)
        for line in report.lines:
            self.stdout.write(str(line))
        if report.only_ours:
            self.stdout.write(f"Only in our data (not compared): {', '.join(report.only_ours)}")
        self.stdout.write(report.summary())
        if report.mismatches:
            raise CommandError(
                f"{len(report.mismatches)} mismatch(es):\n"
                + "\n".join(str(line) for line in report.mismatches)
            )

    def _load(self) -> None:
        from compliance.regime_loader import regimes_load

        try:
            report = regimes_load()
        except RegimeDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(report))
