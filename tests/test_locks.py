"""The two lock files: production installs only what production runs.

`requirements.lock` (pyproject's [project.dependencies]) is what `make run` and a
production install take; `requirements-dev.lock` adds the `dev` extra for tests, lint and
types. Both come from `make lock` (scripts/lock.sh), the dev lock constrained by the
runtime one.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"

# Development tools that must never reach a production install.
DEV_ONLY = {
    "pytest",
    "pytest-django",
    "pytest-xdist",
    "playwright",
    "moto",
    "ruff",
    "mypy",
    "factory-boy",
    "import-linter",
}

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalize(name: str) -> str:
    """PEP 503: `Django`, `factory_boy` and `factory.boy` are `django`, `factory-boy`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    """`name==version` lines of a lock file, by normalized name."""
    found: dict[str, str] = {}
    for name, version in PIN.findall(text):
        found[normalize(name)] = version
    return found


def requirement_names(requirements: list[str]) -> set[str]:
    return {normalize(REQUIREMENT_NAME.match(r).group(1)) for r in requirements}


@pytest.fixture(scope="module")
def runtime() -> dict[str, str]:
    return pins(RUNTIME_LOCK.read_text())


@pytest.fixture(scope="module")
def dev() -> dict[str, str]:
    return pins(DEV_LOCK.read_text())


@pytest.fixture(scope="module")
def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_pins_reads_names_versions_and_extras():
    text = (
        "# via make lock\n"
        "Django==5.2.19 \\\n    --hash=sha256:abc\n"
        "moto[server]==5.2.5 \\\n"
        "factory_boy==3.3.3\n"
        "    # via bcp-portal (pyproject.toml)\n"
    )
    assert pins(text) == {"django": "5.2.19", "moto": "5.2.5", "factory-boy": "3.3.3"}


def test_the_runtime_lock_holds_no_development_tool(runtime):
    assert runtime, "requirements.lock pins no package"
    assert sorted(DEV_ONLY & set(runtime)) == []


def test_the_dev_lock_pins_every_runtime_package_at_the_same_version(runtime, dev):
    differ = {
        name: (version, dev.get(name, "missing"))
        for name, version in runtime.items()
        if dev.get(name) != version
    }
    assert differ == {}, "requirements.lock vs requirements-dev.lock: " + repr(differ)


def test_every_lock_line_is_hash_pinned():
    for lock in (RUNTIME_LOCK, DEV_LOCK):
        entries = re.split(r"\n(?=[A-Za-z0-9])", lock.read_text())
        unhashed = [e.split()[0] for e in entries if PIN.match(e) and "--hash=sha256:" not in e]
        assert unhashed == [], f"{lock.name}: pinned without a hash: {unhashed}"


def test_each_lock_holds_what_pyproject_asks_for(project, runtime, dev):
    dependencies = requirement_names(project["dependencies"])
    development = requirement_names(project["optional-dependencies"]["dev"])

    assert sorted(dependencies - set(runtime)) == []
    assert sorted((dependencies | development) - set(dev)) == []
    # Every development tool is named in the dev extra, so none is installed by accident.
    assert sorted(DEV_ONLY - development) == []
