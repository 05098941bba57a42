"""The engine's answers for an incident written down as `Obligation` rows.

`obligations_sync` compares the results of one evaluation with the incident's stored
obligations (one read) and writes only what differs:

- a required result with no row: a new open obligation (and the DPO is told a clock started);
- a row whose computed fields differ: those fields are changed (one history row); a row
  equal to its result is not saved at all, so evaluating twice writes nothing;
- a result that is no longer required, or a stage the engine no longer answers for (the
  regime was disabled, a flag was cleared): an OPEN row becomes NOT APPLICABLE with the
  reason; it is never deleted. When the result is required again the row opens again;
- submitted and waived rows keep their status (the computed fields still follow the facts);
- obligations a person added (`manual`) are never touched.

Results the engine gives as not required never create a row: a breach judged unlikely to
result in a risk, or an outage at the threshold, leaves no obligation behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.db import models

from bcp_portal.core.outbox import outbox_add
from bcp_portal.core.roles import DPO
from bcp_portal.core.services import apply_changes, save_audited
from compliance.deadlines import types
from compliance.models_notifications import Obligation
from incidents.models import Incident

VANISHED_REASON = (
    "No longer applies: the regime is disabled, or the incident's facts no longer bring it in."
)


def _limit(name: str) -> int | None:
    field = Obligation._meta.get_field(name)
    return cast(models.Field, field).max_length


def _fit(name: str, value: Any) -> Any:
    """A text the engine wrote, cut to its column (a long rule never fails the whole sync)."""
    limit = _limit(name)
    if isinstance(value, str) and limit is not None and len(value) > limit:
        return value[: limit - 1] + "…"
    return value


def computed_values(result: types.Result) -> dict[str, Any]:
    """What an obligation row holds of one engine result."""
    values: dict[str, Any] = {
        "regime_name": result.regime_name,
        "stage_name": result.stage_name,
        "notify": result.notify,
        "entity": result.entity,
        "required": result.required,
        "reason": result.reason,
        "counting": result.counting,
        "period": result.period,
        "anchor": result.anchor,
        "anchor_at": result.anchor_at,
        "provisional": result.provisional,
        "due_at": result.due_at,
        "due_date": result.due_date,
        "local_zone": result.local_zone or "UTC",
        "alt_due_at": result.alternative.due_at if result.alternative else None,
        "alt_basis": result.alternative.basis if result.alternative else "",
        "relief": result.relief,
        "rule": result.rule,
        "basis": result.basis,
        "verified": result.verified,
        "waiting_for": result.waiting_for,
    }
    return {name: _fit(name, value) for name, value in values.items()}


def _one_per_stage(results: Iterable[types.Result]) -> dict[tuple[str, str], types.Result]:
    """One result per (regime, stage): a required one wins over one that is not."""
    chosen: dict[tuple[str, str], types.Result] = {}
    for result in results:
        key = (result.regime, result.stage)
        if key not in chosen or (result.required and not chosen[key].required):
            chosen[key] = result
    return chosen


def _started(obligation: Obligation, incident: Incident) -> None:
    """Tell the DPO a clock started (once per obligation: the key is the done marker)."""
    due = (
        f"due {obligation.due_at:%Y-%m-%d %H:%M} UTC"
        if obligation.due_at
        else (obligation.waiting_for or "no fixed due time")
    )
    provisional = (
        "\nProvisional: a fact it runs from is not recorded, so it runs from detection. "
        "Record the fact on the incident."
        if obligation.provisional
        else ""
    )
    outbox_add(
        key=f"obligation-started:{obligation.pk}",
        to_role=DPO,
        subject=f"Notification clock started: {obligation} ({incident.reference})",
        body=(
            f"{incident.reference} {incident.title}\n{obligation.regime_name}, "
            f"{obligation.stage_name}: notify {obligation.notify or 'as the rule says'}, {due}.\n"
            f"{obligation.reason}{provisional}"
        ),
        url=incident.get_absolute_url(),
    )


def obligations_sync(*, incident: Incident, results: Iterable[types.Result]) -> dict[str, int]:
    """Write the evaluation of `incident` (see the module's docstring); counts of what it did."""
    counts = {"created": 0, "updated": 0, "not_applicable": 0, "unchanged": 0}
    wanted = _one_per_stage(results)
    existing = {
        (row.regime_key, row.stage_key): row
        for row in Obligation.objects.filter(incident=incident, manual=False)
    }
    for key, result in wanted.items():
        values = computed_values(result)
        row = existing.pop(key, None)
        if row is None:
            if not result.required:
                continue
            row = Obligation(incident=incident, regime_key=key[0], stage_key=key[1], **values)
            save_audited(row, actor=None, exclude=["incident"])
            _started(row, incident)
            counts["created"] += 1
            continue
        changed = bool(apply_changes(row, values))
        if not result.required and row.status == Obligation.Status.OPEN:
            row.status = Obligation.Status.NOT_APPLICABLE
            row.status_reason = _fit("status_reason", result.reason or VANISHED_REASON)
            row.status_changed_by = None
            counts["not_applicable"] += 1
        elif result.required and row.status == Obligation.Status.NOT_APPLICABLE:
            row.status = Obligation.Status.OPEN
            row.status_reason = _fit("status_reason", f"Applies again: {result.reason}")
            row.status_changed_by = None
            counts["updated"] += 1
        elif changed:
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
            continue
        save_audited(row, actor=None, exclude=["incident", "status_changed_by"])
    for row in existing.values():
        if row.status != Obligation.Status.OPEN:
            counts["unchanged"] += 1
            continue
        row.status = Obligation.Status.NOT_APPLICABLE
        row.required = False
        row.status_reason = VANISHED_REASON
        row.status_changed_by = None
        save_audited(row, actor=None, exclude=["incident", "status_changed_by"])
        counts["not_applicable"] += 1
    return counts
