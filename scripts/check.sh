#!/usr/bin/env bash
# `make check` (and CI through .ci/run): every check, on the real stack.
#
# Installs what is missing (Debian packages, the Python lock), reuses PostgreSQL and Redis
# when they answer on loopback or starts private ones under var/ci/ otherwise, then runs:
# format, lint, the security lint (bandit), migrations check, the database-roles test
# (migrations as the owner role, the portal as a less privileged one), the SQLite smoke test
# (the `make run` setup) and the whole suite against PostgreSQL and Redis. A failing check
# does not stop the others: the run ends with the list of failed checks and a non-zero exit.
# It stops only what it started.
#
# Overrides: BCP_PG_PORT / BCP_REDIS_PORT (where to look for running servers; default 5432
# and 6379), BCP_PG_SUPERUSER (default postgres), BCP_PG_DB (default bcp; dropped and
# recreated, with test_<name> and test_<name>_gw<N>), BCP_REDIS_DB (database on a reused
# Redis, default 15; emptied, and so are the ones below it that the test workers use),
# BCP_TEST_WORKERS (pytest-xdist processes for the main suite; default: the core count,
# at most 8). Two runs at once on the same servers need different BCP_PG_DB, and
# BCP_REDIS_DB ranges that do not overlap.
#
# The main suite runs in BCP_TEST_WORKERS processes (pytest-xdist gw0, gw1, ...). Worker N
# gets its own test database (pytest-django: test_<name>_gwN), its own Redis database for
# the real-Celery-worker tests (BCP_REDIS_DB - N, through TEST_WORKER_REDIS_DB) and its own
# block of loopback ports (tests/fixtures/worker.py).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

PG_HOST=127.0.0.1
PG_PORT="${BCP_PG_PORT:-5432}"
PG_SUPERUSER="${BCP_PG_SUPERUSER:-postgres}"
PG_DB="${BCP_PG_DB:-bcp}"
REDIS_PORT="${BCP_REDIS_PORT:-6379}"
TEST_WORKERS="${BCP_TEST_WORKERS:-$(nproc 2>/dev/null || echo 2)}"
((TEST_WORKERS >= 1 && TEST_WORKERS <= 8)) || TEST_WORKERS=$((TEST_WORKERS < 1 ? 1 : 8))
CI_DIR="$ROOT/var/ci"
STARTED_AT=$SECONDS
# This script decides where each pytest run points; nothing leaks in from the caller.
unset DATABASE_URL MIGRATE_DATABASE_URL CELERY_BROKER_URL
# A developer's .env must not fill those back in (settings read it otherwise).
export READ_DOT_ENV=false

PRIVATE_PG_DIR=""
PRIVATE_PG_BIN=""
PRIVATE_REDIS_DIR=""
SMOKE_PID=""
FAILED_CHECKS=()
PYTEST=("$VENV/bin/pytest")
mkdir -p "$CI_DIR"
rm -f "$CI_DIR"/junit-*.xml  # the closing summary counts this run's results only

# --- cleanup: stop only what this script started ---------------------------------------
cleanup() {
    local status=$?
    trap - EXIT
    # A background check still running when the script stops early goes with it.
    [[ -z ${SMOKE_PID:-} ]] || kill "$SMOKE_PID" 2>/dev/null || true
    if [[ -n $PRIVATE_REDIS_DIR ]]; then
        step "Stopping the private Redis (port $REDIS_PORT)"
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 \
            || kill "$(cat "$PRIVATE_REDIS_DIR/redis.pid" 2>/dev/null)" 2>/dev/null || true
        rm -rf "$PRIVATE_REDIS_DIR"
    fi
    if [[ -n $PRIVATE_PG_DIR ]]; then
        step "Stopping the private PostgreSQL (port $PG_PORT)"
        as_postgres "$PRIVATE_PG_BIN/pg_ctl" -D "$PRIVATE_PG_DIR/data" -m fast -w stop \
            >/dev/null 2>&1 || true
        rm -rf "$PRIVATE_PG_DIR"
    fi
    summary "$status"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

summary() {
    local status=$1 elapsed=$((SECONDS - STARTED_AT))
    if [[ $status -eq 0 ]]; then
        step "All checks passed in ${elapsed} s"
    else
        step "FAILED after ${elapsed} s"
        local name
        for name in "${FAILED_CHECKS[@]}"; do
            note "failed: $name"
        done
    fi
    # One closing line for the whole run, summed over every pytest invocation above.
    if compgen -G "$CI_DIR/junit-*.xml" >/dev/null; then
        "$VENV/bin/python" - "$CI_DIR"/junit-*.xml <<'PY'
import sys
import xml.etree.ElementTree as ET

totals = dict(tests=0, failures=0, errors=0, skipped=0)
for path in sys.argv[1:]:
    for suite in ET.parse(path).getroot().iter("testsuite"):
        for key in totals:
            totals[key] += int(suite.get(key, 0))
failed = totals["failures"] + totals["errors"]
passed = totals["tests"] - failed - totals["skipped"]
print(f"check: {passed} passed, {failed} failed, {totals['skipped']} skipped")
PY
    fi
}

# --- helpers ---------------------------------------------------------------------------
free_port() {
    "$VENV/bin/python" -c \
        'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

as_postgres() {
    # PostgreSQL refuses to run as root.
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

psql_as() {
    local user=$1 db=$2
    shift 2
    psql -X -w -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$user" -d "$db" "$@"
}

pg_usable() {
    [[ "$(psql_as "$PG_SUPERUSER" postgres -tAc \
        'SELECT rolsuper FROM pg_roles WHERE rolname = current_user' 2>/dev/null)" == t ]]
}

redis_usable() {
    [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]
}

start_private_postgres() {
    PRIVATE_PG_BIN="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d | sort -V | tail -1)"
    [[ -n $PRIVATE_PG_BIN ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
    PG_PORT="$(free_port)"
    PRIVATE_PG_DIR="$CI_DIR/pg-$PG_PORT"
    rm -rf "$PRIVATE_PG_DIR"
    mkdir -p "$CI_DIR"
    if [[ $EUID -eq 0 ]]; then
        install -d -o postgres -g postgres -m 700 "$PRIVATE_PG_DIR"
    else
        install -d -m 700 "$PRIVATE_PG_DIR"
    fi
    # The postgres user must reach the folder, and a socket path has at most 107 bytes.
    if ! as_postgres test -w "$PRIVATE_PG_DIR" || [[ ${#PRIVATE_PG_DIR} -gt 80 ]]; then
        rm -rf "$PRIVATE_PG_DIR"
        PRIVATE_PG_DIR="$(mktemp -d /tmp/bcp-ci-pg.XXXXXX)"
        [[ $EUID -ne 0 ]] || chown postgres:postgres "$PRIVATE_PG_DIR"
    fi
    note "initdb in $PRIVATE_PG_DIR, port $PG_PORT"
    as_postgres "$PRIVATE_PG_BIN/initdb" -D "$PRIVATE_PG_DIR/data" -U postgres --auth=trust \
        -E UTF8 --locale=C.UTF-8 --no-sync >"$PRIVATE_PG_DIR/initdb.log" 2>&1 \
        || { cat "$PRIVATE_PG_DIR/initdb.log"; die "initdb failed"; }
    # A throwaway test server: durability off for speed.
    local fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    as_postgres "$PRIVATE_PG_BIN/pg_ctl" -D "$PRIVATE_PG_DIR/data" -l "$PRIVATE_PG_DIR/server.log" \
        -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PRIVATE_PG_DIR $fast" \
        start >/dev/null \
        || { cat "$PRIVATE_PG_DIR/server.log"; die "PostgreSQL did not start"; }
    PG_SUPERUSER=postgres
}

start_private_redis() {
    REDIS_PORT="$(free_port)"
    PRIVATE_REDIS_DIR="$CI_DIR/redis-$REDIS_PORT"
    mkdir -p "$PRIVATE_REDIS_DIR"
    note "redis-server on port $REDIS_PORT, files in $PRIVATE_REDIS_DIR"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
        --dir "$PRIVATE_REDIS_DIR" --daemonize yes --pidfile "$PRIVATE_REDIS_DIR/redis.pid" \
        --logfile "$PRIVATE_REDIS_DIR/redis.log"
    local _
    for _ in $(seq 50); do
        redis_usable && return
        sleep 0.1
    done
    cat "$PRIVATE_REDIS_DIR/redis.log"
    die "Redis did not start"
}

# A check that fails is recorded and the next one runs. pytest's exit 5 (no test collected)
# is a failure like any other non-zero exit.
run_check() {
    local name=$1
    shift
    step "$name"
    if ! "$@"; then
        FAILED_CHECKS+=("$name")
        printf '%s    failed: %s%s\n' "$RED" "$name" "$PLAIN"
    fi
}

# A check started earlier with `cmd &`: wait for it, show its output, record a failure.
wait_check_in_background() {
    local name=$1 pid=$2 log=$3
    step "$name"
    if wait "$pid"; then
        cat "$log"
    else
        cat "$log"
        FAILED_CHECKS+=("$name")
        printf '%s    failed: %s%s\n' "$RED" "$name" "$PLAIN"
    fi
}

# --- the steps -------------------------------------------------------------------------
step "System packages"
ensure_debian_packages chromium poppler-utils libharfbuzz-subset0 redis-server postgresql \
    python3-venv libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

step "Python environment from requirements-dev.lock (runtime + test and lint tools)"
ensure_venv dev

run_check "Format (ruff format --check)" "$VENV/bin/ruff" format --check .
run_check "Lint (ruff check)" "$VENV/bin/ruff" check .
run_check "Security lint (bandit: no high-severity finding)" \
    "$VENV/bin/bandit" -q -c pyproject.toml -r . --severity-level high
# An in-memory database: the check must not create or touch db.sqlite3.
run_check "Migrations are up to date (makemigrations --check)" \
    env DATABASE_URL="sqlite://:memory:" \
    "$VENV/bin/python" manage.py makemigrations --check --dry-run

# The SQLite smoke test needs neither server: it runs in the background while PostgreSQL
# and Redis are prepared and the deploy-like migration and the roles test run (one core
# each), and its output is shown when it is waited for.
SMOKE_LOG="$CI_DIR/smoke.log"
"${PYTEST[@]}" --junit-xml="$CI_DIR/junit-smoke.xml" tests/smoke >"$SMOKE_LOG" 2>&1 &
SMOKE_PID=$!

step "PostgreSQL"
if pg_usable; then
    note "reusing the server on $PG_HOST:$PG_PORT (superuser $PG_SUPERUSER)"
else
    note "none usable on $PG_HOST:$PG_PORT: starting a private one"
    start_private_postgres
fi

step "Redis"
# The suite's test workers take databases REDIS_DB, REDIS_DB - 1, ... (one each).
if redis_usable; then
    REDIS_DB="${BCP_REDIS_DB:-15}"
    ((REDIS_DB - TEST_WORKERS + 1 >= 0)) \
        || die "BCP_REDIS_DB=$REDIS_DB leaves no Redis database for $TEST_WORKERS test workers"
    # Databases of its own on a shared server; emptied first so no task left over from an
    # interrupted run reaches this run's workers.
    for ((db = REDIS_DB - TEST_WORKERS + 1; db <= REDIS_DB; db++)); do
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n "$db" flushdb >/dev/null
    done
    note "reusing the server on 127.0.0.1:$REDIS_PORT" \
        "(databases $((REDIS_DB - TEST_WORKERS + 1))-$REDIS_DB)"
else
    note "none on 127.0.0.1:$REDIS_PORT: starting a private one"
    start_private_redis
    REDIS_DB=15  # the last of a fresh server's 16; the test workers count down from it
fi

OWNER_URL="postgres://bcp_owner@$PG_HOST:$PG_PORT/$PG_DB"
APP_URL="postgres://bcp_app@$PG_HOST:$PG_PORT/$PG_DB"
BROKER_URL="redis://127.0.0.1:$REDIS_PORT/$REDIS_DB"

step "Database roles: bcp_owner owns the tables, bcp_app reads and writes rows"
psql_as "$PG_SUPERUSER" postgres <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bcp_owner') THEN
        CREATE ROLE bcp_owner LOGIN CREATEDB;
    END IF;
    -- CREATEDB: pytest-django creates the test database as the app role.
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bcp_app') THEN
        CREATE ROLE bcp_app LOGIN CREATEDB;
    END IF;
EXCEPTION WHEN duplicate_object THEN NULL;  -- another run created it meanwhile
END
\$\$;
DROP DATABASE IF EXISTS "$PG_DB" WITH (FORCE);
DROP DATABASE IF EXISTS "test_$PG_DB" WITH (FORCE);
CREATE DATABASE "$PG_DB" OWNER bcp_owner;
SQL
# The test workers' databases (pytest-django recreates them anyway; left over they only
# take space).
{
    echo "SET client_min_messages = warning;"
    for ((n = 0; n < 8; n++)); do
        echo "DROP DATABASE IF EXISTS \"test_${PG_DB}_gw$n\" WITH (FORCE);"
    done
} | psql_as "$PG_SUPERUSER" postgres
psql_as "$PG_SUPERUSER" "$PG_DB" <<SQL
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE bcp_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bcp_app;
ALTER DEFAULT PRIVILEGES FOR ROLE bcp_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO bcp_app;
SQL
note "database $PG_DB owned by bcp_owner; default privileges granted to bcp_app"

run_check "Deploy-like migrate: MIGRATE_DATABASE_URL as bcp_owner, DATABASE_URL as bcp_app" \
    env DATABASE_URL="$APP_URL" MIGRATE_DATABASE_URL="$OWNER_URL" \
    "$VENV/bin/python" manage.py migrate --noinput

run_check "Database-roles test (the app role reads and writes rows, cannot create tables)" \
    env DATABASE_URL="$APP_URL" MIGRATE_DATABASE_URL="$OWNER_URL" \
    "${PYTEST[@]}" --junit-xml="$CI_DIR/junit-roles.xml" -m postgres \
    tests/bcp_portal/test_database_roles.py

wait_check_in_background "SQLite smoke test: migrate, demo, every page as each persona (no PostgreSQL, no Redis)" \
    "$SMOKE_PID" "$SMOKE_LOG"
SMOKE_PID=""

# `--dist load`: each test goes to whichever process is free; the browser tests start a live
# server and chromium in each process that gets one (xdist's loadgroup cannot keep them in
# one process under pytest 9.2: pytest-xdist issue 1386).
run_check "Whole suite on PostgreSQL and Redis, with browser and worker tests ($TEST_WORKERS processes)" \
    env DATABASE_URL="$APP_URL" CELERY_BROKER_URL="$BROKER_URL" TEST_WORKER_REDIS_DB="$REDIS_DB" \
    "${PYTEST[@]}" --junit-xml="$CI_DIR/junit-suite.xml" --durations=15 \
    -n "$TEST_WORKERS" --dist load --ignore=tests/smoke tests

[[ ${#FAILED_CHECKS[@]} -eq 0 ]] || exit 1
