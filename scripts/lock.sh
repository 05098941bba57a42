#!/usr/bin/env bash
# `make lock`: recompile the two lock files from pyproject.toml with uv, installed into a
# throwaway virtual environment so that it is not a project dependency.
#
#   requirements.lock      what production runs: [project.dependencies] only
#   requirements-dev.lock  the same pins plus the `dev` extra (tests, lint, types)
#
# The runtime lock is compiled first and constrains the dev lock, so every package the two
# share has the same version in both (tests/test_locks.py checks it). uv prefers the
# versions already in a lock file, so a recompile moves only what pyproject.toml forces.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

step "uv in a temporary environment"
"$(find_python)" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --progress-bar off uv
compile=("$tmp/venv/bin/uv" pip compile --quiet pyproject.toml --generate-hashes
    --python-version 3.11 --custom-compile-command "make lock")

step "Compiling requirements.lock (runtime)"
"${compile[@]}" -o requirements.lock

step "Compiling requirements-dev.lock (runtime + dev, constrained by requirements.lock)"
# A constraint file holds plain pins; the hashes stay in the lock files.
sed -n 's/^\([A-Za-z0-9][A-Za-z0-9._-]*\(\[[^]]*\]\)\?==[^ ;\\]*\).*/\1/p' requirements.lock \
    >"$tmp/runtime-pins.txt"
"${compile[@]}" --extra dev -c "$tmp/runtime-pins.txt" -o requirements-dev.lock
# uv names the constraint file in its "via" comments: name the lock it came from instead.
sed -i "s|-c $tmp/runtime-pins.txt|-c requirements.lock|" requirements-dev.lock
note "done: commit both lock files; the next make run/check reinstalls from them"
