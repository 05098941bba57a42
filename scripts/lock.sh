#!/usr/bin/env bash
# `make lock`: recompile requirements.lock from pyproject.toml with uv, installed into a
# throwaway virtual environment so that it is not a project dependency.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

step "uv in a temporary environment"
"$(find_python)" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --progress-bar off uv

step "Compiling requirements.lock"
"$tmp/venv/bin/uv" pip compile --quiet pyproject.toml --extra dev --generate-hashes \
    --python-version 3.11 -o requirements.lock
note "done: commit requirements.lock; the next make run/check reinstalls from it"
