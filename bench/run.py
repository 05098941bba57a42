"""`make bench`: pages, API lists, admin changelists and PDF exports at 1,000 and 100,000 rows.

(The incident rows run at 1,000 and 1,000,000 incidents: bench/prepare.py maps each size to
its incident count; the alert intake rows post JSON and report requests per second. "intake,
alert again" (de-duplicated, nothing written) is compared with `/bench/plain-post`, a JSON
POST doing one indexed read; "intake, new alert" with `/bench/plain-write`, the write a new
alert cannot avoid done with plain ORM calls in one transaction: the source by its token's
digest, the group, an alert row, a timeline entry and its history row (bench/views.py).
The dashboard `/` is a frame whose boxes each load a panel: it has its row, and each panel
the bench SRE Lead sees has one too, `dashboard panel <name>` for `/panels/<name>/`, asked
for with `HX-Request` as the box's htmx asks, against the same baseline as the page.)

    .venv/bin/python bench/run.py [--sizes 1000 100000] [--requests 15] [--out bench/results.md]
                                  [--only dashboard "approvals inbox" ...]

For each size it creates its own PostgreSQL database (`bcp_bench` unless --db says), migrates
it, seeds it with COPY (bench/seed.py), serves the portal through gunicorn (one worker, a
free loopback port, bench/settings.py) and, signed in as a bench SRE Lead, times every list
against a plain `values()` + JSON view of the same table's 100 rows served by the same
worker, interleaved request by request so the shared machine's load falls on both. The
seeded tables are vacuumed and analysed first (bench.seed.settle), as autovacuum leaves a
live database. It records medians, p95s, the query count of each request (a bench-only
middleware header) and the EXPLAIN of each page's statements, then stops the server and
drops the database. PDF exports are timed against WeasyPrint laying out the identical HTML.
It writes a Markdown table with each figure, its ratio, its target and whether it is met.

The "deadline engine" row needs no server: `bench/engine_bench.py` evaluates every regime
for 100,000 incidents built in memory (1,000 when the largest size is smaller) and times the
same due-time computations alone; it reports incidents per second and the share of time
outside the date arithmetic. `--only "deadline engine"` runs it alone, without a database.

The server: DATABASE_URL when it names PostgreSQL, else postgres@127.0.0.1 on BCP_PG_PORT
(default 5432), as scripts/check.sh looks for it. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PAGE_TARGET = 4.0
API_TARGET = 3.0
PDF_TARGET = 1.3
SEQ_SCAN_ROWS = 10_000
# A PDF takes 0.1 to 1 s: fewer requests than a page, enough for a median on a shared machine.
PDF_REPEATS = 7
ENGINE_ROW = "deadline engine"
# The compliance desk's dashboard panels: the DPO's and Legal Counsel's, not the SRE Lead's.
DESK_PANELS = ("overdue-provisional", "running-clocks", "submissions-due")
# The engine must keep up with re-evaluating every open incident's clocks in a worker:
# at least this many incidents a second, every regime each (one process).
ENGINE_TARGET_PER_SECOND = 500


@dataclass
class Target:
    kind: str  # page, api, admin, pdf
    name: str
    path: str
    baseline: str  # a bench baseline path
    ratio: float
    repeats: int | None = None
    # What the "rows" column counts: the drill size, or the incidents prepare.py seeded.
    counts: str = "drills"
    # A POST (the alert intake and its plain baseline): the n-th request's body, its headers.
    body: Callable[[int], bytes] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Which signed-in session asks (prepare.py's ids): the SRE Lead's, or the DPO's.
    session: str = "session"


@dataclass
class Result:
    target: Target
    size: int
    rows: int = 0
    times: list[float] = field(default_factory=list)
    base_times: list[float] = field(default_factory=list)
    queries: int = 0
    status: int = 0
    # The baseline's own answer: a ratio against a refusal (a plain view answering 404)
    # would mean nothing.
    base_status: int = 200
    explain: dict[str, Any] = field(default_factory=dict)
    # A PDF row: the pages of the export and of its direct render (they must be equal).
    pages: tuple[int, int] | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times) * 1000

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000

    @property
    def base_median(self) -> float:
        return statistics.median(self.base_times) * 1000

    @property
    def ratio(self) -> float:
        return self.median / self.base_median

    @property
    def per_second(self) -> float:
        """Requests per second one worker answers, one request at a time (from the mean)."""
        return len(self.times) / sum(self.times)

    @property
    def base_per_second(self) -> float:
        return len(self.base_times) / sum(self.base_times)


def targets(ids: dict[str, Any]) -> list[Target]:
    b = "/bench/baseline/"
    report = ids["report"]
    document, version = ids.get("runbook_document", 1), ids.get("runbook_version", 1)
    return [
        Target("page", "drill month view", "/drills/", b + "drills", PAGE_TARGET),
        Target("page", "drill list", "/drills/list/", b + "drills", PAGE_TARGET),
        Target("page", "report list", "/drills/reports/", b + "drill-reports", PAGE_TARGET),
        Target("page", "actions list", "/actions/", b + "actions", PAGE_TARGET),
        Target("page", "my actions", "/actions/mine/", b + "actions", PAGE_TARGET),
        Target("page", "services", "/services/", b + "services", PAGE_TARGET),
        Target("page", "contacts", "/contacts/", b + "contacts", PAGE_TARGET),
        # The dashboard is a frame of boxes; each box loads its panel with htmx, one request
        # per panel (bcp_portal.dashboard), so each panel the bench SRE Lead sees has its
        # own row: one slow panel shows by name, and none hides behind the others.
        Target("page", "dashboard", "/", b + "drills", PAGE_TARGET),
        *(
            Target(
                "page",
                f"dashboard panel {name}",
                f"/panels/{name}/",
                b + "drills",
                PAGE_TARGET,
                headers={"HX-Request": "true"},
            )
            for name in ids.get("panels", [])
            if name not in DESK_PANELS  # the DPO's: desk_targets() reads them as the DPO
        ),
        # 1,000 runbooks with 20 versions each, whatever the size: the SRE Lead's inbox
        # holds a contact update of every document; a document's page lists its 20 versions.
        Target(
            "page", "approvals inbox", "/runbooks/approvals/", b + "runbook-changes", PAGE_TARGET
        ),
        Target(
            "page",
            "runbook versions",
            f"/runbooks/{document}/",
            b + "runbook-versions",
            PAGE_TARGET,
        ),
        Target("admin", "admin drills", "/admin/drills/drill/", b + "drills", PAGE_TARGET),
        Target(
            "admin",
            "admin reports",
            "/admin/drills/drillreport/",
            b + "drill-reports",
            PAGE_TARGET,
        ),
        Target("admin", "admin actions", "/admin/actions/action/", b + "actions", PAGE_TARGET),
        Target("api", "API drills", "/api/v1/drills", b + "drills", API_TARGET),
        Target(
            "api", "API drill reports", "/api/v1/drill-reports", b + "drill-reports", API_TARGET
        ),
        Target("api", "API actions", "/api/v1/actions", b + "actions", API_TARGET),
        Target("api", "API services", "/api/v1/services", b + "services", API_TARGET),
        Target(
            "pdf",
            "drill report PDF",
            f"/drills/reports/{report}/pdf/",
            f"/bench/direct-pdf/report-{report}",
            PDF_TARGET,
            repeats=PDF_REPEATS,
        ),
        Target(
            "pdf",
            "published runbook PDF",
            f"/runbooks/versions/{version}/pdf/",
            f"/bench/direct-pdf/version-{version}",
            PDF_TARGET,
            repeats=PDF_REPEATS,
        ),
        Target(
            "pdf",
            "service catalogue PDF",
            "/services/catalogue.pdf",
            "/bench/direct-pdf/catalogue",
            PDF_TARGET,
            repeats=PDF_REPEATS,
        ),
        *incident_targets(ids),
        *desk_targets(ids),
    ]


def desk_targets(ids: dict[str, Any]) -> list[Target]:
    """Issue #11's rows: the compliance desk at 1,000 and 100,000 obligations (its running
    clocks by time left, and filtered to the overdue ones), and the DPO's clock panels,
    read by the bench DPO against the same 100 open obligations read plainly."""
    b = "/bench/baseline/"
    desk = {"counts": "obligations", "session": "dpo_session"}
    return [
        Target("page", "compliance desk", "/compliance/desk/", b + "obligations", PAGE_TARGET,
               **desk),
        Target("page", "compliance desk, overdue", "/compliance/desk/?overdue=1",
               b + "obligations", PAGE_TARGET, **desk),
        *(
            Target("page", f"dashboard panel {name}", f"/panels/{name}/", b + "obligations",
                   PAGE_TARGET, headers={"HX-Request": "true"}, **desk)
            for name in DESK_PANELS
        ),
    ]  # fmt: skip


# A small Alertmanager v4 notification (one alert); run.py posts it to the intake.
GROUP_KEYS = {"same": '{}:{alertname="BenchSame"}', "new": '{}:{alertname="BenchNew"}'}


def alertmanager_body(group: str, fingerprint: str) -> bytes:
    alert: dict[str, Any] = {
        "status": "firing",
        "labels": {"alertname": f"Bench{group.title()}", "severity": "critical"},
        "annotations": {"summary": "Checkout answers 5xx to more than 5% of requests"},
        "startsAt": "2026-11-29T11:50:00.123456789Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.example:9090/graph?g0.expr=rate",
        "fingerprint": fingerprint,
    }
    payload = {
        "version": "4",
        "groupKey": GROUP_KEYS[group],
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "bcp-portal",
        "groupLabels": {"alertname": alert["labels"]["alertname"]},
        "commonLabels": alert["labels"],
        "commonAnnotations": alert["annotations"],
        "externalURL": "http://alertmanager.example:9093",
        "alerts": [alert],
    }
    return json.dumps(payload).encode()


def incident_targets(ids: dict[str, Any]) -> list[Target]:
    """Issue #10's rows: the incident list and API at the incident count prepare.py seeded,
    the DR metrics (its default, the last twelve months), post-mortems, on-call, and the
    alert intake's requests per second: an alert sent again against a plain JSON POST doing
    one indexed read, a new alert against a plain view doing the write it cannot avoid."""
    b = "/bench/baseline/"
    auth = {"Authorization": f"Bearer {ids.get('intake_token', '')}"}
    same = alertmanager_body("same", "5f4e3d2c1b0a9988")
    serial = itertools.count()
    return [
        Target(
            "page", "incident list", "/incidents/", b + "incidents", PAGE_TARGET, counts="incidents"
        ),
        Target(
            "page",
            "DR metrics",
            "/incidents/metrics/",
            b + "incidents",
            PAGE_TARGET,
            counts="incidents",
        ),
        Target(
            "page",
            "post-mortem list",
            "/incidents/postmortems/",
            b + "postmortems",
            PAGE_TARGET,
            counts="incidents",
        ),
        Target("page", "on-call", "/oncall/", b + "oncall-overrides", PAGE_TARGET),
        Target(
            "api",
            "API incidents",
            "/api/v1/incidents",
            b + "incidents",
            API_TARGET,
            counts="incidents",
        ),
        # The same alert again (de-duplicated: nothing written) and a new alert each time.
        Target(
            "intake",
            "intake, alert again",
            "/api/intake/alertmanager",
            "/bench/plain-post",
            API_TARGET,
            counts="incidents",
            body=lambda n: same,
            headers=auth,
        ),
        Target(
            "intake",
            "intake, new alert",
            "/api/intake/alertmanager",
            "/bench/plain-write",
            API_TARGET,
            counts="incidents",
            body=lambda n: alertmanager_body("new", f"{next(serial):016x}"),
            headers=auth,
        ),
    ]


# --- PostgreSQL ----------------------------------------------------------------------------


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    port = os.environ.get("BCP_PG_PORT", "5432")
    return f"postgres://postgres@127.0.0.1:{port}/postgres"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def admin_sql(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def table_rows(url: str) -> dict[str, float]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' "
            "AND relnamespace = 'public'::regnamespace"
        ).fetchall()
    return dict(rows)


# --- The server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(database_url: str, out: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "MIGRATE_DATABASE_URL", "CELERY_BROKER_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        READ_DOT_ENV="false",
        DEBUG="false",
        BENCH_OUT=out,
        # A throwaway key for the bench's own sessions (DEBUG is off, as in production).
        SECRET_KEY=secrets.token_urlsafe(50),
        PYTHONPATH=str(ROOT),
    )
    return env


def pdf_pages(port: int, path: str, cookie: str) -> int:
    """The number of pages of the PDF `path` answers (0 when it is not a PDF)."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", path, headers={"Cookie": cookie})
    body = conn.getresponse().read()
    conn.close()
    try:
        return len(PdfReader(io.BytesIO(body)).pages)
    except PdfReadError:
        return 0


def request(
    port: int,
    path: str,
    cookie: str,
    explain: str = "",
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[float, int, int]:
    """One GET, or a JSON POST when there is a body: seconds, status, query count."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    sent = {"Cookie": cookie, "Accept": "text/html,application/json", **(headers or {})}
    if explain:
        sent["X-Bench-Explain"] = explain
    if body is not None:
        sent["Content-Type"] = "application/json"
    started = time.perf_counter()
    conn.request("GET" if body is None else "POST", path, body=body, headers=sent)
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, response.status, int(response.getheader("X-Bench-Queries") or 0)


def measure(
    port: int, target: Target, path: str, cookie: str, sent: itertools.count, explain: str = ""
) -> tuple[float, int, int]:
    """One request of a row: a GET with the session (and the row's headers: a dashboard
    panel is asked for as htmx asks), or the row's n-th POST (no cookie: the intake and its
    plain baseline authenticate by the token in the row's headers)."""
    if target.body is None:
        return request(port, path, cookie, explain, headers=target.headers)
    body = target.body(next(sent))
    return request(port, path, "", explain, body=body, headers=target.headers)


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    gunicorn = Path(PYTHON).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "bcp_portal.wsgi:application",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped while starting")
        try:
            if request(port, "/healthz", "")[1] == 200:
                return server, port
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


# --- One size ------------------------------------------------------------------------------


def run_size(
    size: int,
    *,
    url: str,
    db: str,
    repeats: int,
    keep: bool,
    only: list[str] | None = None,
    reuse: bool = False,
) -> list[Result]:
    database_url = with_database(url, db)
    out = tempfile.mkdtemp(prefix="bcp-bench-")
    env = bench_env(database_url, out)
    if not reuse:
        admin_sql(url, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', f'CREATE DATABASE "{db}"')
    server = None
    try:
        print(f"[{size}] migrating {db}", flush=True)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        print(f"[{size}] {'signing in' if reuse else 'seeding'}", flush=True)
        seeded = subprocess.run(
            [PYTHON, "-m", "bench.prepare", str(size), *(["--reuse"] if reuse else [])],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        ids = json.loads(seeded.stdout.strip().splitlines()[-1])
        cookies = {
            key: f"sessionid={value}" for key, value in ids.items() if key.endswith("session")
        }
        server, port = start_server(env)
        results = []
        for target in targets(ids):
            if only and not any(name.lower() in target.name.lower() for name in only):
                continue
            rows = ids.get(target.counts, size) if target.counts != "drills" else size
            result = Result(target, size, rows=rows)
            cookie = cookies[target.session]
            n = target.repeats or repeats
            sent = itertools.count()
            # Warm: templates, the connection, WeasyPrint's fonts (and the intake's group).
            for _ in range(2):
                measure(port, target, target.path, cookie, sent)
                measure(port, target, target.baseline, cookie, sent)
            for _ in range(n):
                seconds, result.status, result.queries = measure(
                    port, target, target.path, cookie, sent
                )
                result.times.append(seconds)
                base_seconds, result.base_status, _ = measure(
                    port, target, target.baseline, cookie, sent
                )
                result.base_times.append(base_seconds)
            if target.kind == "pdf":
                # The baseline must lay out the same document: the same number of pages.
                result.pages = (
                    pdf_pages(port, target.path, cookie),
                    pdf_pages(port, target.baseline, cookie),
                )
            else:
                name = re.sub(r"[^a-z0-9]+", "-", target.name.lower())
                measure(port, target, target.path, cookie, sent, explain=name)
                explained = Path(out, f"{name}.json")
                if explained.exists():
                    result.explain = json.loads(explained.read_text())
            print(
                f"[{size}] {target.name:24} {result.status} {result.median:8.1f} ms "
                f"x{result.ratio:5.2f} q={result.queries}",
                flush=True,
            )
            results.append(result)
        sizes = table_rows(database_url)
        for result in results:
            result.explain["big_seq_scans"] = sorted(
                {
                    s["table"]
                    for s in result.explain.get("seq_scans", [])
                    if sizes.get(s["table"], 0) > SEQ_SCAN_ROWS and not s.get("bounded")
                }
            )
        return results
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(out, ignore_errors=True)
        if not keep:
            admin_sql(url, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


# --- The report ----------------------------------------------------------------------------


def same_document(result: Result) -> bool:
    """A PDF row's export and direct render have the same pages (other rows: True)."""
    return result.pages is None or (result.pages[0] > 0 and result.pages[0] == result.pages[1])


def met(result: Result) -> bool:
    return (
        result.status == 200
        and result.base_status == 200
        and result.ratio <= result.target.ratio
        and not result.explain.get("big_seq_scans")
        and same_document(result)
    )


def run_engine(cases: int) -> dict[str, Any]:
    """The "deadline engine" row, in a process of its own (bench/engine_bench.py)."""
    print(f"[engine] evaluating every regime for {cases:,} incidents", flush=True)
    finished = subprocess.run(
        [PYTHON, "-m", "bench.engine_bench", "--cases", str(cases)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    print(
        f"[engine] {figures['per_second']:.0f} incidents/s, "
        f"{figures['outside_share']:.0%} outside the date arithmetic",
        flush=True,
    )
    return figures


def engine_report(figures: dict[str, Any]) -> list[str]:
    met = figures["per_second"] >= ENGINE_TARGET_PER_SECOND
    return [
        f"## {ENGINE_ROW.capitalize()}",
        "",
        "Every regime of the data file evaluated (`compliance.deadlines.engine.evaluate`) for "
        "incidents built in memory, each with four legal entities that bring every regime "
        "into scope and dated facts drawn over a year (bench/engine_bench.py). The "
        "unavoidable work is the date arithmetic: every top-level call into "
        "`compliance.deadlines.counting` is recorded while the cases are evaluated again, "
        "then the same calls are replayed alone and timed; the rest (conditions, reasons, "
        "results) is the share outside it, and the ratio is total time over arithmetic "
        f"time. Target: at least {ENGINE_TARGET_PER_SECOND:,} incidents a second, one process.",
        "",
        "| incidents | regimes | results | seconds | incidents/s | arithmetic calls "
        "| arithmetic s | outside the arithmetic | ratio | target | met |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        f"| {figures['cases']:,} | {figures['regimes']} | {figures['results']:,} | "
        f"{figures['seconds']:.1f} | {figures['per_second']:,.0f} | "
        f"{figures['arithmetic_calls']:,} | {figures['arithmetic_seconds']:.1f} | "
        f"{figures['outside_share']:.0%} | {figures['ratio']:.1f}x | "
        f"≥ {ENGINE_TARGET_PER_SECOND:,}/s | {'yes' if met else '**no**'} |",
        "",
    ]


def report(results: list[Result], sizes: list[int], engine: dict[str, Any] | None = None) -> str:
    lines = [
        "# Bench results",
        "",
        "Written by `make bench` (bench/run.py); sizes: "
        + ", ".join(f"{s:,}" for s in sizes)
        + " drills (90 % with a report) and as many actions; the incident rows' "
        '"rows" is the incident count, 1,000 at the small size and 1,000,000 at the large '
        "one (bench/prepare.py, `INCIDENTS_AT_SIZE`: ten years of them, a tenth per year; "
        "every tenth closed one with a post-mortem). Times in ms through gunicorn "
        "(one worker) on the loopback, the seeded tables vacuumed and analysed as autovacuum "
        "leaves a live database; each request is followed by its baseline (a plain "
        "`values()` of 100 rows of the same table as JSON, same worker; for the alert "
        "intake, a plain JSON POST doing one indexed read for an alert sent again and a "
        "plain view doing a new alert's unavoidable write for a new alert, see below) so "
        "the machine's load falls on both. Targets: pages and admin changelists at most "
        f"{PAGE_TARGET:g}x their baseline, API lists and the intake at most {API_TARGET:g}x, "
        "PDF exports at "
        f"most {PDF_TARGET:g}x WeasyPrint laying out the identical HTML (checked: both PDFs "
        "have the same pages, shown under queries); no sequential scan "
        f"on a table over {SEQ_SCAN_ROWS:,} rows (pg_class estimate) in any statement of the "
        "request, unless a Limit above it bounds what it reads.",
        "",
        "| kind | what | rows | status | median | p95 | baseline median | ratio | target "
        "| queries | seq scans on big tables | met |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.target.kind} | {r.target.name} (`{r.target.path}`) | {r.rows:,} | "
            f"{r.status} | {r.median:.1f} | {r.p95:.1f} | {r.base_median:.1f} | "
            f"{r.ratio:.2f}x | {r.target.ratio:g}x | "
            f"{r.queries if r.pages is None else f'{r.pages[0]}/{r.pages[1]} pages'} | "
            f"{', '.join(r.explain.get('big_seq_scans', [])) or '—'} | "
            f"{'yes' if met(r) else '**no**'} |"
        )
    failed = [r for r in results if not met(r)]
    lines += ["", f"{len(results) - len(failed)} of {len(results)} rows meet their target.", ""]
    if engine is not None:
        lines += engine_report(engine)
    intake = [r for r in results if r.target.kind == "intake"]
    if intake:
        lines += [
            "## Alert intake: requests per second",
            "",
            "One gunicorn worker, one request at a time: a small Alertmanager v4 notification "
            "(one alert) posted with its source's token, interleaved with its plain view. "
            '"alert again" re-sends the alert of an open group (de-duplicated: nothing is '
            "written), against a plain JSON POST view doing one indexed read "
            '(`/bench/plain-post`). "new alert" adds a new alert to an open group (an alert '
            "row, a timeline entry and its history row), against a plain view doing the write "
            "a new alert cannot avoid with plain ORM calls and no portal service, in one "
            "transaction (`/bench/plain-write`): the source by its token's SHA-256 and the "
            "group with its incident (two indexed reads), the alert row, the timeline entry "
            "and the entry's history row (the alert row is operational, historised in neither). "
            "What the portal adds (payload checks, de-duplication, the mapping table, the "
            "intake account's permissions, the group's lock) is what the ratio measures.",
            "",
            "| what | incidents | requests/s | plain view | plain view requests/s | ratio "
            "| queries |",
            "|---|---:|---:|---|---:|---:|---:|",
        ]
        lines += [
            f"| {r.target.name} | {r.rows:,} | {r.per_second:.0f} | `{r.target.baseline}` | "
            f"{r.base_per_second:.0f} | "
            f"{r.base_per_second / r.per_second:.2f}x | {r.queries} |"
            for r in intake
        ]
        lines.append("")
    largest = max(sizes)
    lines += [f"## The slowest statement of each page at {largest:,} rows", ""]
    for r in results:
        slowest = r.explain.get("slowest")
        if r.size != largest or not slowest:
            continue
        lines += [
            f"### {r.target.name} ({slowest['ms']} ms)",
            "",
            "```",
            slowest["sql"][:1500],
            "",
            slowest["plan"],
            "```",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--db", default="bcp_bench")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.md"))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database --keep left (one size, migrated, not seeded again); kept",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="measure only the rows whose name contains one of these (a profiling run)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= 200:
        parser.error("--requests must be between 1 and 200")
    if args.reuse and len(args.sizes) != 1:
        parser.error("--reuse measures the one size the kept database was seeded with")
    # The engine row needs no database: run alone when --only names nothing else.
    wants_engine = not args.only or any(n.lower() in ENGINE_ROW for n in args.only)
    others = [n for n in args.only or [] if n.lower() not in ENGINE_ROW]
    engine = None
    if wants_engine:
        engine = run_engine(100_000 if max(args.sizes) >= 100_000 else 1_000)
    results: list[Result] = []
    for size in args.sizes if not args.only or others else []:
        results += run_size(
            size,
            url=server_url(),
            db=args.db,
            repeats=args.requests,
            keep=args.keep or args.reuse,
            only=others or None,
            reuse=args.reuse,
        )
    Path(args.out).write_text(report(results, args.sizes, engine) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
