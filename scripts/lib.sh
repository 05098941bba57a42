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

# Each step prints how long the one before it took; `steps_done` closes the last one.
STEP_STARTED=""
step() {
    steps_done
    printf '\n%s==> %s%s\n' "$BOLD" "$*" "$PLAIN"
    STEP_STARTED=$SECONDS
}

steps_done() {
    if [[ -n $STEP_STARTED ]]; then
        note "($((SECONDS - STEP_STARTED)) s)"
    fi
    STEP_STARTED=""
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

# Installs the Debian packages that are missing, saying first which and why. Each argument
# is one group, "why it is needed|package package ...": one line per group is printed for
# the groups with something missing, then apt-get runs as root (directly, or through sudo)
# with its output in var/apt.log, shown only if it fails.
ensure_debian_package_groups() {
    local group reason pkg missing=() lines=() group_missing
    if ! command -v dpkg-query >/dev/null; then
        note "not a Debian system: make sure these (or their equivalents) are installed:"
        for group in "$@"; do note "  ${group#*|}: ${group%%|*}"; done
        return
    fi
    for group in "$@"; do
        reason="${group%%|*}"
        group_missing=()
        for pkg in ${group#*|}; do
            if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null \
                | grep -q 'install ok installed'; then
                group_missing+=("$pkg")
            fi
        done
        if [[ ${#group_missing[@]} -gt 0 ]]; then
            missing+=("${group_missing[@]}")
            lines+=("${group_missing[*]}: $reason")
        fi
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        note "all present"
        return
    fi
    local how="as root" log="$ROOT/var/apt.log"
    [[ $EUID -eq 0 ]] || how="as root through sudo (it may ask for your password)"
    local count="${#missing[@]} Debian packages"
    [[ ${#missing[@]} -ne 1 ]] || count="1 Debian package"
    note "installing $count with apt-get, $how:"
    for group in "${lines[@]}"; do note "  $group"; done
    mkdir -p "$ROOT/var"
    [[ $EUID -eq 0 ]] || ! command -v sudo >/dev/null || sudo -v
    # Without --no-install-recommends chromium pulls in (and upgrades) systemd.
    if ! {
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
            && as_root env DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -qq --no-install-recommends "${missing[@]}"
    } >"$log" 2>&1; then
        printf '%s    apt-get failed; the last lines of %s:%s\n' "$RED" "${log#"$ROOT/"}" "$PLAIN" >&2
        tail -n 30 "$log" >&2
        die "installing Debian packages failed (whole output in ${log#"$ROOT/"})"
    fi
    note "installed (apt-get's output is in ${log#"$ROOT/"})"
}

# The same for one flat list of packages, with one reason for all of them.
ensure_debian_packages() {
    ensure_debian_package_groups "needed by this script|$*"
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

# The lock a package set installs from: `runtime` is what production runs (pyproject's
# dependencies), `dev` adds the tools for tests, lint and types; its lock repeats the
# runtime pins, so installing it installs both.
lock_file() {
    case $1 in
        runtime) echo "$ROOT/requirements.lock" ;;
        dev) echo "$ROOT/requirements-dev.lock" ;;
        *) die "unknown package set: $1 (runtime or dev)" ;;
    esac
}

lock_hash() {
    local files=("$ROOT/requirements.lock" "$ROOT/build-constraints.txt")
    [[ $1 != dev ]] || files+=("$ROOT/requirements-dev.lock")
    cat "${files[@]}" | sha256sum | cut -d' ' -f1
}

# Creates .venv and installs a lock into it: `ensure_venv` the runtime lock (make run, a
# production install), `ensure_venv dev` the development lock (make check/test/lint).
# The stamp $VENV/.lock-installed holds one line per set installed, "<set> <hash of its
# lock files>"; a set whose line matches is not installed again (a cold install takes
# about 100 s). A dev install covers runtime too, so `make run` after `make check` neither
# reinstalls nor uninstalls anything.
ensure_venv() {
    local set="${1:-runtime}" stamp="$VENV/.lock-installed" python hash lock
    hash="$(lock_hash "$set")"
    lock="$(lock_file "$set")"
    if [[ -x $VENV/bin/python && -f $stamp ]] && grep -qxF "$set $hash" "$stamp"; then
        note "$VENV is up to date with ${lock#"$ROOT/"}"
        return
    fi
    if [[ ! -x $VENV/bin/python ]]; then
        python="$(find_python)"
        note "creating $VENV with $python"
        "$python" -m venv "$VENV"
    fi
    note "installing ${lock#"$ROOT/"} (about 100 s the first time)"
    # sed drops the machine pip config's harmless "Location ... is ignored" warnings.
    if ! env "${PIP_INSTALL_ENV[@]}" "$VENV/bin/pip" install --quiet --progress-bar off \
        --require-hashes -r "$lock" 2>&1 \
        | sed '/is ignored: it is neither a file nor a directory/d'; then
        die "installing ${lock#"$ROOT/"} failed"
    fi
    # What is installed now: this set, and runtime with it after a dev install. A runtime
    # install may have moved a package that a dev line vouched for, so it drops that line.
    {
        echo "$set $hash"
        [[ $set != dev ]] || echo "runtime $(lock_hash runtime)"
    } >"$stamp"
}
