"""The "deadline engine" row: every regime evaluated for N incidents with their facts.

    .venv/bin/python -m bench.engine_bench [--cases 100000]   (prints one JSON line)

Cases are built in memory (no database): each incident has four legal entities (an EU
financial entity and controller, a UK communications provider and trust service provider, a
US registrant, covered entity and critical-infrastructure operator, an APAC/Canadian
organisation), so every regime of the data file is in scope of every case, and dated facts
drawn from a seeded generator over 2026 (detection, awareness, controller awareness,
classification, materiality, discovery, determination; a GDPR risk level; persons affected
in France and five US states; severities, outages, some submissions already made).

Measured, all in one process after a warm-up:

- `evaluate(case)` for every case: incidents per second;
- the date arithmetic alone: while the cases are evaluated once more (untimed), every
  top-level call into `compliance.deadlines.counting` (its functions and its calendar's
  methods; a call made inside another is part of it) is recorded with its arguments; the
  same calls are then replayed, timed, with nothing else around them. That is the
  unavoidable work (the due-time computations); the rest of `evaluate` (conditions,
  results, reasons) is the share outside the date arithmetic, and `ratio` is total time
  over arithmetic time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import inspect
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bcp_portal.settings")

from compliance.deadlines import counting, types
from compliance.deadlines.engine import evaluate
from compliance.deadlines.regimes import load_regimes

UTC = dt.UTC
ENTITIES = (
    types.Entity(
        name="Acme Payments SAS",
        jurisdictions=frozenset({"FR", "DE"}),
        statuses=frozenset(
            {"gdpr_controller", "dora_financial_entity", "nis2_important", "pci_merchant"}
        ),
        holiday_calendars=("FR",),
        time_zone="Europe/Paris",
    ),
    types.Entity(
        name="Acme Networks Ltd",
        jurisdictions=frozenset({"GB"}),
        statuses=frozenset({"gdpr_controller", "pecr_provider", "eidas_trust_service_provider"}),
        holiday_calendars=("GB-ENG",),
        time_zone="Europe/London",
    ),
    types.Entity(
        name="Acme Holdings Inc.",
        jurisdictions=frozenset({"US-NY", "US-CA", "US-TX"}),
        statuses=frozenset(
            {
                "sec_registrant",
                "hipaa_covered_entity",
                "nydfs_covered_entity",
                "circia_covered_entity",
            }
        ),
        holiday_calendars=("US",),
        time_zone="America/New_York",
    ),
    types.Entity(
        name="Acme Asia Pacific Pte",
        jurisdictions=frozenset({"SG", "AU", "CA"}),
        statuses=frozenset({"au_app_entity", "sg_organisation", "ca_pipeda_organisation"}),
        holiday_calendars=("SG",),
        time_zone="Asia/Singapore",
    ),
)
REGIONS = ("FR", "US-CA", "US-NY", "US-TX", "US-FL", "US-WA", "US-CO")
RISKS = (types.RISK_NONE, types.RISK, types.RISK_HIGH, None)
SEVERITIES = ("P0", "P1", "P2", "P3")
CHUNK = 5000
TYPES = ("personal_data_breach", "payment_data_breach", "service_outage_extended", "other")


def build_cases(n: int, seed: int = 11) -> list[types.Case]:
    rng = random.Random(seed)  # a reproducible bench, not a secret
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    cases = []
    for index in range(n):
        detection = start + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        aware = detection + dt.timedelta(minutes=rng.randrange(6 * 60))
        dated = {
            types.DETECTION: detection,
            types.AWARENESS: aware,
            types.CLASSIFICATION_MAJOR: aware + dt.timedelta(minutes=rng.randrange(30 * 60)),
            types.MATERIALITY_DETERMINATION: aware + dt.timedelta(days=rng.randrange(10)),
            types.DISCOVERY: detection + dt.timedelta(hours=rng.randrange(48)),
            types.BREACH_DETERMINATION: aware + dt.timedelta(days=rng.randrange(5)),
        }
        if rng.random() < 0.7:  # the rest: provisional, from detection
            dated[types.CONTROLLER_AWARENESS] = aware + dt.timedelta(hours=rng.randrange(12))
        submissions = {}
        if rng.random() < 0.5:
            submissions["eu_dora_major_ict_incident/initial_notification"] = dated[
                types.CLASSIFICATION_MAJOR
            ] + dt.timedelta(hours=3)
        outage = rng.choice((None, 30, 240, 241, 600))
        cases.append(
            types.Case(
                reference=f"bench-{index}",
                time_zone="Europe/Paris",
                entities=ENTITIES,
                incident_type=rng.choice(TYPES),
                severity=rng.choice(SEVERITIES),
                involves_personal_data=rng.random() < 0.8,
                involves_payment_data=rng.random() < 0.3,
                affected_users=rng.randrange(5000),
                outage_started_at=detection if outage else None,
                outage_minutes=outage,
                dated=dated,
                gdpr_risk=rng.choice(RISKS),
                persons_affected={region: rng.randrange(1, 2000) for region in REGIONS},
                submissions=submissions,
            )
        )
    return cases


def _counting_callables() -> list[tuple[Any, str, Callable[..., Any]]]:
    """(owner, name, function) of every function and calendar method `counting` defines."""
    found = []
    for name, value in vars(counting).items():
        if name.startswith("_"):
            continue
        if inspect.isfunction(value) and value.__module__ == counting.__name__:
            found.append((counting, name, value))
        elif inspect.isclass(value) and value.__module__ == counting.__name__:
            for method_name, method in vars(value).items():
                if not method_name.startswith("_") and inspect.isfunction(method):
                    found.append((value, method_name, method))
    return found


def record_arithmetic(cases: list[types.Case]) -> list[tuple[Callable[..., Any], tuple, dict]]:
    """The top-level counting calls `evaluate` makes for `cases`, with their arguments."""
    calls: list[tuple[Callable[..., Any], tuple, dict]] = []
    depth = [0]
    patched = _counting_callables()

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def recording(*args: Any, **kwargs: Any) -> Any:
            if depth[0] == 0:
                calls.append((function, args, kwargs))
            depth[0] += 1
            try:
                return function(*args, **kwargs)
            finally:
                depth[0] -= 1

        return recording

    for owner, name, function in patched:
        setattr(owner, name, wrap(function))
    try:
        for case in cases:
            evaluate(case)
    finally:
        for owner, name, function in patched:
            setattr(owner, name, function)
    return calls


def run(n: int) -> dict[str, Any]:
    cases = build_cases(n)
    regimes = len(load_regimes())
    for case in cases[:200]:  # warm: the data file, the holiday calendars, the zones
        evaluate(case)
    # The collector stays on: a worker evaluating clocks runs with it (off, the cycles of
    # 100,000 evaluations pile up and slow allocation down).
    gc.collect()
    started = time.perf_counter()
    results = 0
    for case in cases:
        results += len(evaluate(case))
    total = time.perf_counter() - started
    # In chunks, so the recorded calls of 100,000 cases never sit in memory at once.
    arithmetic = 0.0
    recorded = 0
    for chunk in range(0, n, CHUNK):
        calls = record_arithmetic(cases[chunk : chunk + CHUNK])
        recorded += len(calls)
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            for function, args, kwargs in calls:
                function(*args, **kwargs)
            arithmetic += time.perf_counter() - started
        finally:
            gc.enable()
        del calls
    return {
        "cases": n,
        "regimes": regimes,
        "results": results,
        "seconds": total,
        "per_second": n / total,
        "arithmetic_calls": recorded,
        "arithmetic_seconds": arithmetic,
        "outside_share": (total - arithmetic) / total,
        "ratio": total / arithmetic if arithmetic else float("inf"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args(argv)
    if not 1 <= args.cases <= 1_000_000:
        parser.error("--cases must be between 1 and 1,000,000")
    print(json.dumps(run(args.cases)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
