"""Bench-only: count each request's queries and, when asked, EXPLAIN them.

Every response carries `X-Bench-Queries`. A request with `X-Bench-Explain: <name>` also
has each of its SELECTs explained (the plan only: nothing runs twice) and the result written
to `$BENCH_OUT/<name>.json`: the statements with their times, the slowest one's plan, and
every sequential scan with the table it reads and whether a Limit above it bounds it (a
capped count reads at most 10,001 rows, whatever the table holds).
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

from django.db import connection

NAME = re.compile(r"^[a-z0-9-]{1,80}$")


class QueryCountMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        statements: list[tuple[float, str, Any]] = []

        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                statements.append((time.perf_counter() - started, sql, params))

        with connection.execute_wrapper(record):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(len(statements))
        name = request.headers.get("X-Bench-Explain", "")
        if name and NAME.match(name) and os.environ.get("BENCH_OUT"):
            explained = explain(statements)
            Path(os.environ["BENCH_OUT"], f"{name}.json").write_text(json.dumps(explained))
        return response


def _walk(plan: dict[str, Any], bounded: bool = False) -> list[tuple[dict[str, Any], bool]]:
    """Every node of a plan, each with whether a Limit above it bounds what it reads."""
    bounded = bounded or plan.get("Node Type") == "Limit"
    nodes = [(plan, bounded)]
    for child in plan.get("Plans", []):
        nodes.extend(_walk(child, bounded))
    return nodes


def explain(statements: list[tuple[float, str, Any]]) -> dict[str, Any]:
    selects = [s for s in statements if s[1].lstrip().upper().startswith("SELECT")]
    result: dict[str, Any] = {"statements": [], "seq_scans": [], "slowest": None}
    if connection.vendor != "postgresql":
        return result
    slowest = max(selects, key=lambda s: s[0], default=None)
    with connection.cursor() as cursor:
        for seconds, sql, params in selects:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            plan = plan if isinstance(plan, list) else json.loads(plan)
            for node, bounded in _walk(plan[0]["Plan"]):
                if node.get("Node Type") == "Seq Scan":
                    result["seq_scans"].append(
                        {
                            "table": node.get("Relation Name"),
                            "rows": node.get("Plan Rows"),
                            "bounded": bounded,
                        }
                    )
            result["statements"].append({"ms": round(seconds * 1000, 2), "sql": sql[:300]})
        if slowest is not None:
            cursor.execute("EXPLAIN " + slowest[1], slowest[2])
            result["slowest"] = {
                "ms": round(slowest[0] * 1000, 2),
                "sql": slowest[1],
                "plan": "\n".join(row[0] for row in cursor.fetchall()),
            }
    return result
