"""mypy passes over the modules pyproject.toml's `[tool.mypy] files` lists.

The django-stubs plugin imports the settings, so mypy runs without DATABASE_URL (SQLite by
default) and without .env: it needs no database server. A warm `.mypy_cache` makes a rerun
take seconds; a cold run takes under a minute.
"""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_mypy_finds_no_type_error_in_the_checked_modules():
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "MIGRATE_DATABASE_URL")
    }
    env["READ_DOT_ENV"] = "false"
    result = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"mypy failed:\n{result.stdout}{result.stderr}"
