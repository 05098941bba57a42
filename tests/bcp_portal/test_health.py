"""`/healthz`: database and broker status, for load balancers and monitors.

The failure cases run the portal in a subprocess whose environment points at a closed
port: settings are read once at start-up, so this is the only honest way to see what a
real process answers when its database or broker is gone.
"""

import json
import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = """
import json, django
django.setup()
from django.test import Client
import os
client = Client()
if os.environ.get("PROBE_SESSION_COOKIE"):
    client.cookies["sessionid"] = os.environ["PROBE_SESSION_COOKIE"]
response = client.get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthz_in_subprocess(**env: str) -> tuple[int, dict]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "MIGRATE_DATABASE_URL", "CELERY_BROKER_URL")
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "bcp_portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    return answer["status"], answer["body"]


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory) -> str:
    """A migrated SQLite database of its own (healthz reports a database behind the code).

    Not the project's db.sqlite3: a probe must leave nothing behind.
    """
    url = f"sqlite:///{tmp_path_factory.mktemp('health') / 'health.sqlite3'}"
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env={**base, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return url


@pytest.mark.django_db
def test_it_answers_200_to_an_anonymous_monitor_when_the_database_is_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["database"] == "ok"
    # Status words only: nothing a monitor without a login should not see.
    assert set(body) == {"database", "broker", "status"}


def test_it_reports_the_broker_as_eager_on_the_default_configuration(sqlite_url):
    status, body = healthz_in_subprocess(DATABASE_URL=sqlite_url)
    assert status == 200
    assert body == {"database": "ok", "broker": "eager", "status": "ok"}


def test_it_answers_503_when_the_database_is_unreachable():
    status, body = healthz_in_subprocess(
        DATABASE_URL=f"postgres://x@127.0.0.1:{closed_port()}/none"
    )
    assert status == 503
    assert body["database"] == "unreachable"
    assert body["status"] == "down"


def test_it_reports_an_unreachable_broker_but_stays_up(sqlite_url):
    status, body = healthz_in_subprocess(
        DATABASE_URL=sqlite_url, CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0"
    )
    assert status == 200
    assert body == {"database": "ok", "broker": "unreachable", "status": "degraded"}


def test_a_monitor_sending_a_session_cookie_still_gets_503_when_the_database_is_down():
    status, body = healthz_in_subprocess(
        DATABASE_URL=f"postgres://nobody@127.0.0.1:{closed_port()}/none",
        PROBE_SESSION_COOKIE="a-session-from-an-earlier-login",
    )
    assert (status, body["database"]) == (503, "unreachable")


WSGI_PROBE = "import bcp_portal.wsgi"


@pytest.mark.parametrize("key", ["", "short"])
def test_a_wsgi_server_refuses_to_start_without_a_strong_secret_key(tmp_path, key):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-c", WSGI_PROBE],
        cwd=settings.BASE_DIR,
        env={
            **env,
            "DEBUG": "false",
            "SECRET_KEY": key,
            "ALLOWED_HOSTS": "portal.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "bcp_portal.E00" in result.stderr
