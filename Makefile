# The two commands from the README: `make run` and `make check`. The others are shortcuts.
PYTHON := .venv/bin/python
MANAGE := $(PYTHON) manage.py

.PHONY: run check test lint fmt lock demo worker beat venv

run:  ## set up and serve the portal on SQLite at http://127.0.0.1:8000
	bash scripts/run.sh

check:  ## every check, on PostgreSQL + Redis + a real worker (what CI runs)
	bash scripts/check.sh

venv:
	@bash -c 'source scripts/lib.sh && ensure_venv'

test: venv  ## pytest only, against whatever DATABASE_URL / CELERY_BROKER_URL say
	.venv/bin/pytest $(ARGS)

lint: venv
	.venv/bin/ruff format --check .
	.venv/bin/ruff check .

fmt: venv
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

lock:  ## recompile requirements.lock from pyproject.toml
	bash scripts/lock.sh

demo: venv
	$(MANAGE) migrate --noinput
	$(MANAGE) demo

worker: venv
	.venv/bin/celery -A bcp_portal worker -Q default,notify,exports -l info

beat: venv
	mkdir -p var
	.venv/bin/celery -A bcp_portal beat -l info --schedule var/celerybeat-schedule
