"""System checks on settings, and `check --deploy` with a production-like environment."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings

from bcp_portal.core.checks import check_secret_key, check_utc_storage

STRONG_KEY = secrets.token_urlsafe(64)


def ids(errors) -> list[str]:
    return [error.id for error in errors]


# What the test run itself sets (tests/conftest.py, scripts/check.sh) must not leak into a
# production-like process.
NOT_INHERITED = {
    "DATABASE_URL",
    "MIGRATE_DATABASE_URL",
    "CELERY_BROKER_URL",
    "DEBUG",
    "SECRET_KEY",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@override_settings(DEBUG=False, SECRET_KEY=settings.INSECURE_DEV_SECRET_KEY)
def test_the_development_key_without_debug_is_an_error():
    assert ids(check_secret_key()) == ["bcp_portal.E001"]


@pytest.mark.parametrize(
    "key",
    [
        "too-short-to-be-a-secret",
        "ab" * 40,
        "django-insecure-" + secrets.token_urlsafe(50),
    ],
    ids=["short", "few distinct characters", "django-insecure prefix"],
)
def test_a_weak_key_without_debug_is_an_error(key):
    with override_settings(DEBUG=False, SECRET_KEY=key):
        assert ids(check_secret_key()) == ["bcp_portal.E002"]


@override_settings(DEBUG=False, SECRET_KEY=STRONG_KEY)
def test_a_strong_key_without_debug_passes():
    assert check_secret_key() == []


@override_settings(DEBUG=True, SECRET_KEY=settings.INSECURE_DEV_SECRET_KEY)
def test_the_development_key_is_fine_while_debug_is_on():
    assert check_secret_key() == []


@override_settings(USE_TZ=False)
def test_storing_local_times_is_an_error():
    assert ids(check_utc_storage()) == ["bcp_portal.E003"]


@pytest.mark.parametrize("extra", [{}, {"SECRET_KEY": ""}], ids=["unset", "empty"])
def test_a_missing_key_stops_a_production_start(tmp_path, extra):
    result = manage(
        "check", DEBUG="false", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **extra
    )
    assert result.returncode != 0
    assert "bcp_portal.E001" in result.stderr


def test_check_deploy_passes_with_a_production_like_environment(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="portal.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # HSTS preload is a commitment to browsers that takes months to undo: it stays an
        # operator's decision (README, production notes), so its reminder is set aside here.
        SILENCED_SYSTEM_CHECKS="security.W021",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
