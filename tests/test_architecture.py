"""The import graph is a stack, and the import-linter contracts in pyproject.toml keep it one.

Each test runs `lint-imports` itself: on the real tree it must pass; on a copy of the tree
with one import added in the wrong direction it must fail and name the broken contract.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGES = ("bcp_portal", "incidents", "drills", "compliance")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_tree(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        ("drills/services/reports.py", "import incidents.models", "never import each other"),
        ("incidents/admin.py", "import drills.models", "never import each other"),
        ("bcp_portal/core/outbox.py", "import drills.models", "only the layers below"),
        ("bcp_portal/actions/services.py", "import drills.models", "only the layers below"),
        ("bcp_portal/catalogue/views.py", "import bcp_portal.actions.models", "only the layers"),
        ("drills/selectors.py", "import compliance.apps", "only the layers below"),
        ("drills/selectors.py", "import bcp_portal.dashboard", "No app imports the wiring"),
    ],
)
def test_an_import_in_the_wrong_direction_breaks_a_contract(tmp_path, module, bad_import, contract):
    tree = copy_of_the_tree(tmp_path)
    path = tree / module
    path.write_text(path.read_text() + f"\n{bad_import}  # added by the test\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert contract in result.stdout
    assert "BROKEN" in result.stdout


def test_incidents_holds_no_catalogue_and_no_tracker_code():
    incidents = ROOT / "incidents"
    text = "\n".join(p.read_text() for p in incidents.rglob("*.py") if "migrations" not in p.parts)
    # Module-level definitions only: an admin's `service_create` hook (ServiceBackedAdmin's
    # method, indented) is not the catalogue's service.
    for name in ("class Service(", "class Action(", "\ndef action_create", "\ndef service_create"):
        assert name not in text
