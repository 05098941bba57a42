#!/usr/bin/env bash
# `make run`: the portal on SQLite, with Celery tasks run eagerly and mail printed to the
# console, at http://127.0.0.1:8000. Needs no PostgreSQL and no Redis.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ADDR="${RUN_ADDR:-127.0.0.1:8000}"
# Links in mail and the demo's "Open ..." line point where this server listens.
export SITE_URL="${SITE_URL:-http://$ADDR}"
STARTED=$SECONDS

step "System packages (only the missing ones are installed)"
ensure_debian_package_groups \
    "Python's venv module, to create .venv|python3-venv" \
    "WeasyPrint needs pango and HarfBuzz to lay out PDFs|libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0" \
    "WeasyPrint needs a font to render text in PDFs|fonts-dejavu-core"

step "Python environment from requirements.lock (runtime only)"
ensure_venv

step "Database migrations"
"$VENV/bin/python" manage.py migrate --noinput --verbosity 0

step "Demo data (prints the logins)"
"$VENV/bin/python" manage.py demo

step "Serving http://$ADDR/ (Ctrl-C stops); ready after $((SECONDS - STARTED)) s"
exec "$VENV/bin/python" manage.py runserver "$ADDR"
