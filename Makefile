# The two commands from the README: `make run` and `make check`. The others are shortcuts.
PYTHON := .venv/bin/python
MANAGE := $(PYTHON) manage.py

.PHONY: run check test lint fmt lock demo worker beat venv venv-dev bench fuzz audit

run:  ## set up and serve the portal on SQLite at http://127.0.0.1:8000
	bash scripts/run.sh

check:  ## every check, on PostgreSQL + Redis + a real worker (what CI runs)
	bash scripts/check.sh

venv:  ## the runtime lock only (requirements.lock), as production installs it
	@bash -c 'source scripts/lib.sh && ensure_venv'

venv-dev:  ## runtime plus the development tools (requirements-dev.lock)
	@bash -c 'source scripts/lib.sh && ensure_venv dev'

test: venv-dev  ## pytest only, against whatever DATABASE_URL / CELERY_BROKER_URL say
	.venv/bin/pytest $(ARGS)

lint: venv-dev
	.venv/bin/ruff format --check .
	.venv/bin/ruff check .

fmt: venv-dev
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

lock:  ## recompile requirements.lock (runtime) and requirements-dev.lock from pyproject.toml
	bash scripts/lock.sh

demo: venv
	$(MANAGE) migrate --noinput
	$(MANAGE) demo

worker: venv
	.venv/bin/celery -A bcp_portal worker -Q default,notify,exports -l info

beat: venv
	mkdir -p var
	.venv/bin/celery -A bcp_portal beat -l info --schedule var/celerybeat-schedule

SIZE ?= 1000 100000
bench: venv-dev  ## pages, API lists and PDFs at SIZE rows (default "1000 100000") -> bench/results.md
	.venv/bin/python bench/run.py --sizes $(SIZE) $(ARGS)

FUZZ_EXAMPLES ?= 200
fuzz: venv-dev  ## schemathesis over the whole API, FUZZ_EXAMPLES per operation (the suite runs 10)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_COVERAGE=1 .venv/bin/pytest -p no:cacheprovider -n auto tests/test_api_fuzz.py $(ARGS)

audit: venv-dev  ## pip-audit over both lock files (asks an advisory service: not in check or CI)
	bash scripts/audit.sh
