"""The document-control block a runbook carries in its text, read at import.

A runbook such as the seed states its own control facts in lines like
``**Document ID**: DR-ACME-2026-001`` or ``- **Owner**: SRE Team``. They fill what the
import form leaves empty; nothing is required of a file that has none.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil import parser as date_parser

_LINE = re.compile(r"^\s*(?:[-*+]\s+)?\*\*(?P<name>[^*]{1,40})\*\*\s*:?\s*(?P<value>.+?)\s*$")
_CLASSIFICATIONS = {
    "public": "public",
    "internal": "internal",
    "internal/confidential": "confidential",
    "confidential": "confidential",
    "restricted": "restricted",
}


@dataclass(frozen=True)
class Control:
    doc_id: str = ""
    title: str = ""
    owner: str = ""
    classification: str = ""
    next_review: dt.date | None = None
    version: str = ""


def _date(value: str) -> dt.date | None:
    try:
        # "July 2025" is the first of July: a month-only review falls due as the month opens.
        parsed = date_parser.parse(value, default=dt.datetime(2000, 1, 1))
    except (ValueError, OverflowError):
        return None
    if not 1900 <= parsed.year <= 2999:
        return None
    return parsed.date()


def document_control(text: str) -> Control:
    """The control facts found in `text` (the first occurrence of each wins)."""
    found: dict[str, str] = {}
    title = ""
    for line in text.split("\n"):
        if not title and line.startswith("# "):
            title = line[2:].strip().strip("#").strip()
        match = _LINE.match(line)
        if not match:
            continue
        name = match.group("name").strip().rstrip(":").lower()
        value = match.group("value").strip().lstrip(":").strip()
        found.setdefault(name, value)
    classification = _CLASSIFICATIONS.get(found.get("classification", "").strip().lower(), "")
    doc_id = found.get("document id", "")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", doc_id):
        doc_id = ""
    return Control(
        doc_id=doc_id,
        title=title[:200],
        owner=found.get("owner", "")[:120],
        classification=classification,
        next_review=_date(found["next review"]) if "next review" in found else None,
        version=found.get("document version", found.get("version", ""))[:40],
    )
