"""Reads of the regimes pages (`/compliance/regimes/`): each `NotificationRegime` row with
what the data file says of it (stages, verified flag, conditions, sources, notes).

A row keeps only whether the regime is enabled, the file version and an internal rule's
edited parameters; the legal facts are read from the data file as the engine reads it
(`compliance.deadlines.regimes.load_default`, parsed and checked once a process), so a
page costs the queries for the rows alone. Readers hold `compliance.view_notificationregime`
(DPO, Legal Counsel, Auditor); the DPO also holds `compliance.change_notificationregime`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from bcp_portal.core.history import Change, field_changes, newest_first
from compliance.deadlines import types
from compliance.deadlines.regimes import DERIVED_ANCHORS, Regime, Stage, load_default
from compliance.desk_selectors import anchor_label as fact_anchor_label
from compliance.models_notifications import NotificationRegime
from compliance.regime_loader import PARAMETERS

PERM_VIEW = "compliance.view_notificationregime"

# The engine's name of an internal rule's parameter -> the row's column.
COLUMNS: dict[str, str] = {engine: column for column, engine in PARAMETERS.items()}
PERIOD_UNITS = {
    types.ELAPSED_HOURS: ("hour", "hours"),
    types.CALENDAR_DAYS: ("calendar day", "calendar days"),
    types.BUSINESS_DAYS: ("business day", "business days"),
    types.CALENDAR_MONTHS: ("month", "months"),
}
ALTERNATIVE_METHODS = {
    "whole_clock_hour": "From the next full hour",
    "end_of_day": "To the end of the due day",
}


def regime_queryset() -> QuerySet[NotificationRegime]:
    """Every regime's row, statutory first, by name (the list's order)."""
    return NotificationRegime.objects.order_by("is_internal", "name", "pk")


def filter_regimes(
    queryset: QuerySet[NotificationRegime],
    *,
    enabled: bool | None = None,
    internal: bool | None = None,
    search: str = "",
) -> QuerySet[NotificationRegime]:
    if enabled is not None:
        queryset = queryset.filter(enabled=enabled)
    if internal is not None:
        queryset = queryset.filter(is_internal=internal)
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(key__icontains=search) | Q(jurisdiction__icontains=search)
        )
    return queryset


@functools.cache
def _file_regimes() -> dict[str, Regime]:
    return {regime.key: regime for regime in load_default().regimes}


def file_regime(key: str) -> Regime | None:
    """The data file's regime of this key, or None (a row left from an older file)."""
    return _file_regimes().get(key)


@dataclass(frozen=True)
class RegimeRow:
    """A regime as the list shows it: its row and the data file's regime (None when the
    file no longer has it)."""

    regime: NotificationRegime
    data: Regime | None

    @property
    def verified(self) -> bool | None:
        return None if self.data is None else self.data.verified

    @property
    def stage_count(self) -> int:
        return 0 if self.data is None else len(self.data.stages)

    @property
    def unverified_stages(self) -> int:
        return 0 if self.data is None else sum(1 for s in self.data.stages if not s.verified)


def regime_rows(regimes: Iterable[NotificationRegime]) -> list[RegimeRow]:
    return [RegimeRow(regime=regime, data=file_regime(regime.key)) for regime in regimes]


def regime_by_key(key: str) -> NotificationRegime | None:
    return NotificationRegime.objects.filter(key=key).first()


def file_parameters(regime: Regime | None) -> dict[str, Any]:
    """An internal rule's parameters as the data file sets them, by the row's column."""
    if regime is None:
        return {}
    return {COLUMNS[name]: value for name, value in regime.parameters.items() if name in COLUMNS}


def effective_parameters(row: NotificationRegime, regime: Regime | None) -> dict[str, Any]:
    """The parameters the engine uses, by column: the row's edit, else the file's value."""
    values = file_parameters(regime)
    for column in PARAMETERS:
        edited = getattr(row, column)
        if edited not in (None, ""):
            values[column] = edited
    return values


@dataclass(frozen=True)
class StageView:
    """A stage of the data file as the detail page shows it."""

    stage: Stage
    period: str
    anchor: str
    alternative: str
    relief: str
    outer_limit: str

    @property
    def counting(self) -> str:
        return types.COUNTING_METHODS.get(self.stage.counting, self.stage.counting)


def _anchor(anchor: str, names: dict[str, str]) -> str:
    if anchor.startswith(types.SUBMISSION_ANCHOR_PREFIX):
        stage = anchor.removeprefix(types.SUBMISSION_ANCHOR_PREFIX)
        return f"The submission of “{names.get(stage, stage.replace('_', ' '))}”"
    if anchor in DERIVED_ANCHORS:
        return DERIVED_ANCHORS[anchor]
    label = fact_anchor_label(anchor)
    return label[:1].upper() + label[1:]


def _in_sentence(text: str) -> str:
    """A label inside a sentence: its first letter in lower case ("DORA" stays)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _period(stage: Stage, parameters: dict[str, Any]) -> str:
    if stage.counting == types.NO_FIXED_PERIOD or stage.period is None:
        return "No fixed period"
    value = stage.period
    suffix = ""
    if isinstance(value, str):  # an internal rule's parameter
        value = parameters.get(COLUMNS.get(value, value))
        suffix = " (the rule's deadline hours)"
        if value in (None, ""):
            return f"Not set{suffix}"
    one, many = PERIOD_UNITS.get(stage.counting, ("", ""))
    return f"{value} {one if value == 1 else many}{suffix}".strip()


def stage_views(regime: Regime, parameters: dict[str, Any]) -> list[StageView]:
    names = {stage.key: stage.name for stage in regime.stages}
    views = []
    for stage in sorted(regime.stages, key=lambda s: (s.order, s.key)):
        anchor = _anchor(stage.anchor, names)
        if stage.anchor_latest_of:
            every = (stage.anchor, *stage.anchor_latest_of)
            anchor = "The latest of: " + "; ".join(_in_sentence(_anchor(a, names)) for a in every)
        if stage.anchor_from:
            anchor = f"{anchor} (counted from {_in_sentence(_anchor(stage.anchor_from, names))})"
        alternative = ""
        if stage.alternative is not None:
            method = ALTERNATIVE_METHODS.get(stage.alternative.method, stage.alternative.method)
            alternative = f"{method}: {stage.alternative.basis}"
        relief = ""
        if stage.relief is not None:
            relief = f"Relief rule {stage.relief.rule}"
            if stage.relief.excluded_statuses:
                relief += " (not for: " + ", ".join(sorted(stage.relief.excluded_statuses)) + ")"
        outer = ""
        if stage.outer_limit is not None:
            outer = (
                f"No later than {stage.outer_limit.period} hours from "
                f"{_in_sentence(_anchor(stage.outer_limit.anchor, names))}"
            )
        views.append(
            StageView(
                stage=stage,
                period=_period(stage, parameters),
                anchor=anchor,
                alternative=alternative,
                relief=relief,
                outer_limit=outer,
            )
        )
    return views


def regime_history(regime: NotificationRegime, *, limit: int = 20) -> list[Change]:
    """Who switched the regime or edited its parameters, and why (newest first)."""
    return newest_first(field_changes(regime.history.all(), limit=limit))
