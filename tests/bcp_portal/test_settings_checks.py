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
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Only HSTS preload (security.W021) is set aside, in settings: the operator's decision.
    assert "System check identified no issues (1 silenced)" in result.stdout


def test_only_hsts_preload_is_silenced():
    assert settings.SILENCED_SYSTEM_CHECKS == ["security.W021"]


def test_production_settings_turn_two_factor_hsts_and_secure_cookies_on(tmp_path):
    probe = (
        "from django.conf import settings as s; "
        "print(s.TWO_FACTOR_REQUIRED, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    production = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + probe],
        cwd=settings.BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if k not in NOT_INHERITED},
            "DJANGO_SETTINGS_MODULE": "bcp_portal.settings",
            "DEBUG": "false",
            "SECRET_KEY": STRONG_KEY,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert production.stdout.split() == ["True", "31536000", "True", "True", "True"]
