#!/usr/bin/env bash
# `make run`: the portal on SQLite, with Celery tasks run eagerly and mail printed to the
# console, at http://127.0.0.1:8000. Needs no PostgreSQL and no Redis.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ADDR="${RUN_ADDR:-127.0.0.1:8000}"

step "System packages (venv, WeasyPrint's libraries and fonts)"
ensure_debian_packages python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    fonts-dejavu-core

step "Python environment from requirements.lock (runtime only)"
ensure_venv

step "Database migrations"
"$VENV/bin/python" manage.py migrate --noinput

step "Demo data (prints the logins)"
"$VENV/bin/python" manage.py demo

step "Serving http://$ADDR/ (Ctrl-C stops)"
exec "$VENV/bin/python" manage.py runserver "$ADDR"
