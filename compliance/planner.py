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
from compliance.regime_loader import engine_regimes, file_regimes

# Who plans: the planner page and the evaluate API (the command runs on the server).
PLANNER_ROLES = (DPO, LEGAL_COUNSEL)


def deadlines_evaluate(data: Any) -> list[dict[str, Any]]:
    """The obligations the facts in `data` would start (docs/deadlines.md has both shapes).

    Raises `compliance.deadlines.io.CaseInputError` naming each bad field."""
    case = case_from_json(data, regime_keys=file_regimes().keys())
    results = engine.evaluate(case, **engine_regimes().evaluate_kwargs())
    return results_json(results)
