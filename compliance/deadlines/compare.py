"""Compare the project's regimes with a reference file (`manage.py regimes --compare PATH`).

The reference is a JSON list of regimes (or {"regimes": [...]}) in the shape of the research
notes the data file was built from: per regime an `id`, per stage a `name`, a `counting`
text and a `relative_to` anchor name. Regimes are matched by id; stages by name (case and
spacing ignored), else by position. For each stage the counting method and the clock anchor
must be the same once both are written in the data file's vocabulary:

Counting: lower case, non-letters as "_"; "hour" means elapsed_hours; "business" or
"working" business_days; "month" calendar_months; "day" calendar_days; "no fixed" or "none"
no_fixed_period. A "_us_federal" suffix also requires the stage's holiday calendar to be US.

Anchor: "actual_submission_of_<stage>" is "submission:<stage>" ("latest_" dropped: a
submission anchor always reads the latest submission); "<a>_and_<b>" is both anchors (DORA's
4 h from classification with its 24 h limit from awareness); and these names of the
reference are the data file's: determination = breach_determination, classification =
classification_major, resident_notification = submission:notice_to_residents,
pdpc_notification = submission:notification_to_pdpc, statement =
submission:statement_to_the_commissioner. Every other name is compared as it is.

A regime or stage of the reference missing from the data is a mismatch; one only in the data
is listed, not counted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.deadlines import types
from compliance.deadlines.regimes import Regime, Stage

ANCHOR_SYNONYMS = {
    "determination": types.BREACH_DETERMINATION,
    "classification": types.CLASSIFICATION_MAJOR,
    "resident_notification": "submission:notice_to_residents",
    "pdpc_notification": "submission:notification_to_pdpc",
    "statement": "submission:statement_to_the_commissioner",
}
_SUBMISSION = "actual_submission_of_"
_US_FEDERAL = "_us_federal"


class ReferenceError(ValueError):
    pass


@dataclass
class Line:
    regime: str
    order: int | None
    name: str
    ok: bool
    text: str

    def __str__(self) -> str:
        where = f"{self.regime} #{self.order}" if self.order else self.regime
        label = f" {self.name}" if self.name else ""
        return f"{'OK  ' if self.ok else 'DIFF'} {where}{label}: {self.text}"


@dataclass
class Report:
    lines: list[Line] = field(default_factory=list)
    only_ours: list[str] = field(default_factory=list)

    @property
    def mismatches(self) -> list[Line]:
        return [line for line in self.lines if not line.ok]

    @property
    def stages(self) -> int:
        return sum(1 for line in self.lines if line.order)

    def summary(self) -> str:
        regimes = len({line.regime for line in self.lines})
        return (
            f"{self.stages} reference stages in {regimes} regimes compared: "
            f"{len(self.mismatches)} mismatch(es)."
        )


def read_reference(path: Path) -> list[dict[str, Any]]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReferenceError(f"{path}: cannot read the reference: {exc}") from exc
    if isinstance(raw, dict):
        raw = raw.get("regimes")
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise ReferenceError(f"{path}: a list of regimes (objects) is required")
    return raw


def normalise_counting(text: str) -> str:
    words = re.sub(r"[^a-z]+", "_", text.lower()).strip("_")
    suffix = ":US" if words.endswith(_US_FEDERAL) else ""
    if "hour" in words:
        method = types.ELAPSED_HOURS
    elif "business" in words or "working" in words:
        method = types.BUSINESS_DAYS
    elif "month" in words:
        method = types.CALENDAR_MONTHS
    elif "day" in words:
        method = types.CALENDAR_DAYS
    elif "no_fixed" in words or words == "none":
        method = types.NO_FIXED_PERIOD
    else:
        return f"unknown ({text})"
    return method + suffix


def normalise_anchor(name: str) -> frozenset[str]:
    name = name.strip().lower()
    if name.startswith(_SUBMISSION):
        stage = name.removeprefix(_SUBMISSION).removeprefix("latest_")
        return frozenset({types.SUBMISSION_ANCHOR_PREFIX + stage})
    parts = name.split("_and_")
    return frozenset(ANCHOR_SYNONYMS.get(part, part) for part in parts)


def our_counting(stage: Stage) -> str:
    suffix = ":US" if stage.local.calendar == "US" else ""
    return stage.counting + (suffix if stage.counting == types.BUSINESS_DAYS else "")


def our_anchor(stage: Stage) -> frozenset[str]:
    anchors = {stage.anchor}
    if stage.outer_limit is not None:
        anchors.add(stage.outer_limit.anchor)
    return frozenset(anchors)


def _name(text: str) -> str:
    return " ".join(str(text).lower().split())


def compare(reference: list[dict[str, Any]], regimes: tuple[Regime, ...]) -> Report:
    ours = {r.key: r for r in regimes}
    report = Report()
    for index, ref in enumerate(reference, 1):
        key = str(ref.get("id") or f"(regime #{index} without id)")
        regime = ours.get(key)
        if regime is None:
            report.lines.append(Line(key, None, "", False, "regime missing from our data"))
            continue
        stages = ref.get("stages")
        if not isinstance(stages, list):
            report.lines.append(Line(key, None, "", False, "reference regime has no stages"))
            continue
        for order, ref_stage in enumerate(stages, 1):
            report.lines.append(_compare_stage(regime, order, ref_stage))
    listed = {str(r.get("id")) for r in reference}
    report.only_ours = [key for key in ours if key not in listed]
    return report


def _compare_stage(regime: Regime, order: int, ref: Any) -> Line:
    if not isinstance(ref, dict):
        return Line(regime.key, order, "", False, "reference stage is not an object")
    name = str(ref.get("name", ""))
    stage = next((s for s in regime.stages if _name(s.name) == _name(name)), None)
    matched = "by name"
    if stage is None and order <= len(regime.stages):
        stage, matched = (
            regime.stages[order - 1],
            f"by position (ours: {regime.stages[order - 1].name!r})",
        )
    if stage is None:
        return Line(regime.key, order, name, False, "stage missing from our data")
    ref_counting = normalise_counting(str(ref.get("counting", "")))
    ref_anchor = normalise_anchor(str(ref.get("relative_to", "")))
    counting, anchor = our_counting(stage), our_anchor(stage)
    problems = []
    if ref_counting != counting:
        problems.append(
            f"counting: reference {ref.get('counting')!r} ({ref_counting}), ours {counting}"
        )
    if ref_anchor != anchor:
        problems.append(
            f"anchor: reference {ref.get('relative_to')!r} ({' + '.join(sorted(ref_anchor))}), "
            f"ours {' + '.join(sorted(anchor))}"
        )
    if problems:
        return Line(
            regime.key, order, name, False, f"stage {stage.key} ({matched}): " + "; ".join(problems)
        )
    return Line(
        regime.key,
        order,
        name,
        True,
        f"{counting} from {' + '.join(sorted(anchor))} (stage {stage.key}, matched {matched})",
    )
