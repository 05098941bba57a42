"""The regimes of the data file as `NotificationRegime` rows, and what the engine reads back.

The legal facts of each regime live in `compliance/data/notification_regimes.json` (read by
`compliance.deadlines`); a row only says whether the regime is enabled, which version of the
file it was last loaded from, and, for the seed runbook's internal rules, the parameters an
administrator changed. A blank parameter means "the data file's value", so a new version
of the file reaches every parameter nobody edited, and never one somebody did.

`regimes_load()` runs after every migrate (and from `manage.py regimes --load`): it adds
a row per new regime and updates the name, jurisdiction and version of the others, never
`enabled` or a parameter; run twice, it writes nothing (no history row).

`engine_regimes()` is what `evaluate` needs from the rows, in one query: the regimes
switched off and the internal rules' edited parameters.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from bcp_portal.core.dbstate import app_fully_migrated
from compliance.deadlines.regimes import DATA_FILE, load_regimes
from compliance.models_notifications import NotificationRegime

# The internal rules' parameters: the row's column -> the engine's override name.
PARAMETERS: dict[str, str] = {
    "incident_type_key": "incident_type",
    "severity_threshold": "severity_threshold",
    "deadline_hours": "deadline_hours",
    "min_outage_minutes": "min_outage_minutes",
    "min_affected_users": "min_affected_users",
}


@dataclass(frozen=True)
class EngineRegimes:
    """What the database adds to the data file: regimes switched off, edited parameters."""

    disabled: frozenset[str] = frozenset()
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    def evaluate_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `compliance.deadlines.engine.evaluate`."""
        return {"disabled": self.disabled, "overrides": self.overrides}


@dataclass(frozen=True)
class LoadReport:
    added: list[str]
    updated: list[str]
    unchanged: int
    missing_from_file: list[str]
    version: int

    def __str__(self) -> str:
        parts = [
            f"regimes data file version {self.version}: {len(self.added)} added",
            f"{len(self.updated)} updated",
            f"{self.unchanged} unchanged",
        ]
        if self.missing_from_file:
            parts.append(
                "in the database but no longer in the file (left as they are): "
                + ", ".join(self.missing_from_file)
            )
        return ", ".join(parts) + "."


@functools.cache
def file_regimes() -> dict[str, dict[str, Any]]:
    """The data file's regimes by key, as written (read once a process: the file ships with
    the code). The engine reads and checks the same file (`compliance.deadlines`); the admin
    and the API show from this what a row does not keep: stages, sources, defaults."""
    data = json.loads(DATA_FILE.read_text())
    return {regime["key"]: regime for regime in data["regimes"]}


def file_defaults(key: str) -> dict[str, Any]:
    """An internal rule's parameters as the data file sets them ({} for a statutory one)."""
    return dict(file_regimes().get(key, {}).get("parameters") or {})


def _file_rows(path: Path) -> tuple[int, list[dict[str, Any]]]:
    """(version, one dict of row fields per regime): only what a row keeps of the file (the
    engine reads the rest, and checks it: `compliance.deadlines`)."""
    data = json.loads(path.read_text())
    return int(data["version"]), [
        {
            "key": regime["key"],
            "name": regime["name"][:300],
            "jurisdiction": regime.get("jurisdiction", "")[:300],
            "is_internal": bool(regime.get("internal", False)),
        }
        for regime in data["regimes"]
    ]


def regimes_load(*, using: str = "default", path: Path = DATA_FILE) -> LoadReport:
    """Upsert one row per regime of the data file (idempotent; see the module docstring).

    The engine reads the file first: a file that does not hold together raises its
    `RegimeDataError` (naming the regime, stage and field) before any row is written."""
    load_regimes(path)
    version, rows = _file_rows(path)
    added: list[str] = []
    updated: list[str] = []
    unchanged = 0
    with transaction.atomic(using=using):
        existing = {
            regime.key: regime
            for regime in NotificationRegime.objects.using(using).select_for_update()
        }
        for row in rows:
            regime = existing.get(row["key"])
            if regime is None:
                regime = NotificationRegime(**row, data_version=version)
                regime._change_reason = f"Loaded from the regimes data file, version {version}"  # type: ignore[attr-defined]  # read by django-simple-history
                regime.full_clean()
                regime.save(using=using)
                added.append(row["key"])
                continue
            changed = False
            for name, value in (*row.items(), ("data_version", version)):
                if getattr(regime, name) != value:
                    setattr(regime, name, value)
                    changed = True
            if not changed:
                unchanged += 1
                continue
            regime._change_reason = f"Updated from the regimes data file, version {version}"  # type: ignore[attr-defined]  # read by django-simple-history
            regime.full_clean()
            regime.save(using=using)
            updated.append(row["key"])
    known = {row["key"] for row in rows}
    return LoadReport(
        added=added,
        updated=updated,
        unchanged=unchanged,
        missing_from_file=sorted(set(existing) - known),
        version=version,
    )


def load_after_migrate(sender: object, using: str = "default", **kwargs: object) -> None:
    if app_fully_migrated("compliance", using):
        regimes_load(using=using)


def engine_regimes() -> EngineRegimes:
    """The regimes switched off and the internal rules' edited parameters, in one query.

    A regime of the file with no row yet (loaded after the last migrate) is evaluated: a
    clock nobody chose to switch off runs."""
    disabled: set[str] = set()
    overrides: dict[str, dict[str, Any]] = {}
    columns = list(PARAMETERS)
    for key, enabled, is_internal, *values in NotificationRegime.objects.values_list(
        "key", "enabled", "is_internal", *columns
    ):
        if not enabled:
            disabled.add(key)
        if is_internal:
            edited = {
                PARAMETERS[column]: value
                for column, value in zip(columns, values, strict=True)
                if value not in (None, "")
            }
            if edited:
                overrides[key] = edited
    return EngineRegimes(disabled=frozenset(disabled), overrides=overrides)
