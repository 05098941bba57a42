"""The what-if evaluation: facts as JSON in, obligations as JSON out, nothing stored.

`manage.py deadlines FILE.json`, `POST /api/v1/deadlines/evaluate` and the planner page
(`/compliance/planner/`) all call `deadlines_evaluate`, so for the same facts they show the
same obligations: one parser (`compliance.deadlines.io.case_from_json`), the engine with the
regimes as the database has them (switched off, internal rules' edited parameters:
`regime_loader.engine_regimes`), one serialiser (`io.results_json`).
"""

from __future__ import annotations

from typing import Any

from bcp_portal.core.roles import DPO, LEGAL_COUNSEL
from compliance.deadlines import engine
from compliance.deadlines.io import case_from_json, results_json
from compliance.regime_loader import EngineRegimes, engine_regimes, file_defaults, file_regimes
from incidents.models import IncidentType

# Who plans: the planner page and the evaluate API (the command runs on the server).
PLANNER_ROLES = (DPO, LEGAL_COUNSEL)


def deadlines_evaluate(data: Any) -> list[dict[str, Any]]:
    """The obligations the facts in `data` would start (docs/deadlines.md has both shapes).

    Raises `compliance.deadlines.io.CaseInputError` naming each bad field."""
    regimes = file_regimes()
    in_force = engine_regimes()
    case = case_from_json(
        data,
        regime_keys=regimes.keys(),
        stage_keys={
            f"{key}/{stage['key']}" for key, regime in regimes.items() for stage in regime["stages"]
        },
        disabled=in_force.disabled,
        incident_types=incident_type_keys(in_force),
    )
    results = engine.evaluate(case, **in_force.evaluate_kwargs())
    return results_json(results)


def incident_type_keys(in_force: EngineRegimes) -> set[str]:
    """The incident types a question may name: the portal's, those the data file's conditions
    name, and those the internal rules match (the seed's names, or what an administrator set)."""
    keys = set(IncidentType.objects.values_list("key", flat=True))
    keys.update(_named_types(list(file_regimes().values())))
    for key, regime in file_regimes().items():
        if regime.get("internal"):
            chosen = in_force.overrides.get(key, {}).get("incident_type")
            keys.add(chosen or file_defaults(key).get("incident_type") or "")
    keys.discard("")
    return keys


def _named_types(value: Any) -> set[str]:
    """Every incident type an `incident_types_any` condition of the data file names."""
    if isinstance(value, dict):
        named = value.get("incident_types_any")
        found = {t for t in named if isinstance(t, str)} if isinstance(named, list) else set()
        for item in value.values():
            found |= _named_types(item)
        return found
    if isinstance(value, list):
        return set().union(*(_named_types(item) for item in value)) if value else set()
    return set()
