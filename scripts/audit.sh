#!/usr/bin/env bash
# `make audit`: pip-audit over requirements.lock (what production runs) and
# requirements-dev.lock (plus the test and lint tools), each pinned with hashes.
#
# It asks an advisory service over the network, so it is not part of `make check` or CI:
# run it before a release and when the lock files change. `--strict` makes a package the
# service could not look up an error, so an unreachable service never reads as "no known
# vulnerabilities". Accepted findings are listed, each with its reason, in
# security/pip-audit-ignore.txt (one "ID reason" per line, reviewed like code).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

IGNORE_FILE=security/pip-audit-ignore.txt
ignore=()
while read -r id reason; do
    [[ -z $id || $id == \#* ]] && continue
    [[ -n $reason ]] || die "$IGNORE_FILE: $id has no reason"
    ignore+=(--ignore-vuln "$id")
done <"$IGNORE_FILE"

status=0
for lock in requirements.lock requirements-dev.lock; do
    step "pip-audit $lock"
    "$VENV/bin/pip-audit" --strict --disable-pip --require-hashes --progress-spinner off \
        -r "$lock" "${ignore[@]}" || status=1
done
exit "$status"
