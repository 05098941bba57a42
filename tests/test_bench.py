"""`make bench` keeps working: a tiny run (200 rows) seeds its own database, serves the
portal through gunicorn, measures every row and writes its report, then drops the database.
"""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
from django.conf import settings

sys.path.insert(0, str(Path(settings.BASE_DIR)))

from bcp_portal.dashboard import panel_names
from bench import run

ROOT = Path(settings.BASE_DIR)


def _server_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        "/postgres"
    )


def test_a_tiny_bench_run_measures_every_row_and_drops_its_database(tmp_path):
    name = f"bcp_bench_test_{os.getpid()}"
    out = tmp_path / "results.md"
    env = {**os.environ, "DATABASE_URL": _server_url()}
    finished = subprocess.run(
        [
            sys.executable,
            "bench/run.py",
            "--sizes",
            "200",
            "--requests",
            "2",
            "--db",
            name,
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    text = out.read_text()
    # The main table's rows name their path (the intake's requests-per-second table does not).
    rows = [
        line
        for line in text.splitlines()
        if line.startswith("| ") and "| 200 |" in line and "(`/" in line
    ]
    # Every dashboard panel has its row: the bench SRE Lead (staff) sees them all but the
    # compliance desk's, which the bench DPO reads.
    assert len(rows) == len(run.targets({"report": 1, "panels": panel_names()}))
    for name in panel_names():
        assert f"| page | dashboard panel {name} (`/panels/{name}/`) | 200 | 200 |" in text
    # The incident rows count incidents (as many as drills at this size), and the intake's
    # rows report requests per second against the plain view.
    assert "| page | incident list (`/incidents/`) | 200 |" in text
    assert "## Alert intake: requests per second" in text
    assert "| intake, new alert | 200 |" in text
    # Every page, list and PDF answered 200 (the status column).
    assert all("| 200 | 200 |" in row for row in rows), rows
    assert "rows meet their target" in text
    with psycopg.connect(_server_url(), autocommit=True) as conn:
        left = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    assert left is None


def _result(ratio: float, seq_scans: list[str]) -> run.Result:
    target = run.Target("page", "drill list", "/drills/list/", "/bench/baseline/drills", 4.0)
    result = run.Result(target, 1000, times=[ratio], base_times=[1.0], status=200)
    result.explain = {"big_seq_scans": seq_scans}
    return result


def test_a_row_meets_its_target_only_within_the_ratio_and_without_big_sequential_scans():
    assert run.met(_result(3.9, []))
    assert not run.met(_result(4.1, []))
    assert not run.met(_result(1.0, ["drills_drill"]))
    report = run.report([_result(4.1, [])], [1000])
    assert "**no**" in report and "0 of 1 rows meet their target" in report
