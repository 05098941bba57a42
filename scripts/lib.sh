# Shared by the scripts in this folder (sourced, not run).
# shellcheck shell=bash
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
# The machine's pip config may add a constraint file; the build constraint (setuptools<81
# for xstatic-bootstrap's sdist) must reach pip's isolated build environments too, which
# only an environment variable does.
PIP_INSTALL_ENV=(PIP_CONSTRAINT="$ROOT/build-constraints.txt" PIP_DISABLE_PIP_VERSION_CHECK=1)

# Colour only on a terminal (CI logs stay plain).
if [[ -t 1 && -z ${NO_COLOR:-} ]]; then
    BOLD=$'\033[1m' RED=$'\033[31m' PLAIN=$'\033[0m'
else
    BOLD="" RED="" PLAIN=""
fi

step() {
    printf '\n%s==> %s%s\n' "$BOLD" "$*" "$PLAIN"
}

note() {
    printf '    %s\n' "$*"
}

die() {
    printf '%serror:%s %s\n' "$RED" "$PLAIN" "$*" >&2
    exit 1
}

as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

# Installs the Debian packages that are missing; runs `apt-get update` only if one is.
ensure_debian_packages() {
    local missing=() pkg
    if ! command -v dpkg-query >/dev/null; then
        note "not a Debian system: make sure these (or their equivalents) are installed: $*"
        return
    fi
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        note "all present: $*"
        return
    fi
    note "installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    # Without --no-install-recommends chromium pulls in (and upgrades) systemd.
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
}

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3; do
        [[ -n $candidate ]] || continue
        if command -v "$candidate" >/dev/null \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
            command -v "$candidate"
            return
        fi
    done
    die "Python 3.11 not found (set PYTHON=/path/to/python3.11)"
}

lock_hash() {
    cat "$ROOT/requirements.lock" "$ROOT/build-constraints.txt" | sha256sum | cut -d' ' -f1
}

# Creates .venv and installs the lock file into it; skipped when the lock did not change
# since the last successful install (a cold install takes about 100 s).
ensure_venv() {
    local stamp="$VENV/.lock-installed" python
    if [[ -x $VENV/bin/python && -f $stamp && "$(cat "$stamp")" == "$(lock_hash)" ]]; then
        note "$VENV is up to date with requirements.lock"
        return
    fi
    if [[ ! -x $VENV/bin/python ]]; then
        python="$(find_python)"
        note "creating $VENV with $python"
        "$python" -m venv "$VENV"
    fi
    note "installing requirements.lock (about 100 s the first time)"
    # sed drops the machine pip config's harmless "Location ... is ignored" warnings.
    if ! env "${PIP_INSTALL_ENV[@]}" "$VENV/bin/pip" install --quiet --progress-bar off \
        --require-hashes -r "$ROOT/requirements.lock" 2>&1 \
        | sed '/is ignored: it is neither a file nor a directory/d'; then
        die "installing requirements.lock failed"
    fi
    lock_hash >"$stamp"
}
