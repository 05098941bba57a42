"""Print the notification obligations that hypothetical facts would start, as JSON.

    manage.py deadlines FILE.json      (or - for standard input)

The input is the what-if planner's facts in the shape docs/deadlines.md documents (an
examples: docs/examples/deadlines-*.json); the output a JSON list of obligations
(regime, stage, who is notified, required or not and why, the due time in UTC and local,
the counting method, rule, basis, anchor, alternative reading, relief, provisional and
verified labels): exactly what the planner page and `POST /api/v1/deadlines/evaluate`
show for the same facts (`compliance.planner.deadlines_evaluate`). Nothing is stored.

Bad input (unreadable, not JSON, a field missing or wrong) exits with status 2 and a message
naming the field, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bcp_portal.core import limits
from bcp_portal.core.api.parsers import json_depth
from compliance.deadlines.io import CaseInputError
from compliance.planner import deadlines_evaluate

BAD_INPUT = 2


def _refuse(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


class Command(BaseCommand):
    help = "Print, as JSON, the notification obligations the facts in FILE.json would start."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The facts as JSON (docs/deadlines.md); - for stdin.")

    def handle(self, *args, **options):
        path = options["path"]
        try:
            if path == "-":
                raw = sys.stdin.buffer.read(limits.REQUEST_BODY_MAX_BYTES + 1)
            else:
                with Path(path).open("rb") as handle:
                    raw = handle.read(limits.REQUEST_BODY_MAX_BYTES + 1)
        except OSError as error:
            raise _refuse(f"Cannot read {path}: {error.strerror or error}") from None
        if len(raw) > limits.REQUEST_BODY_MAX_BYTES:
            raise _refuse(f"{path} is larger than {limits.REQUEST_BODY_MAX_BYTES:,} bytes.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _refuse(f"{path} is not UTF-8 text.") from None
        if json_depth(text) > limits.JSON_MAX_DEPTH:
            raise _refuse(f"{path} nests deeper than {limits.JSON_MAX_DEPTH} levels.")
        try:
            data = json.loads(text)
        except ValueError as error:
            raise _refuse(f"{path} is not JSON: {error}") from None
        try:
            obligations = deadlines_evaluate(data)
        except CaseInputError as error:
            lines = [f"{field}: {' '.join(messages)}" for field, messages in error.errors.items()]
            raise _refuse(f"{path} has invalid fields:\n  " + "\n  ".join(lines)) from None
        self.stdout.write(json.dumps(obligations, indent=2, ensure_ascii=False))
