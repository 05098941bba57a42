"""Shared fixtures: personas (one user per role plus an outsider), eager Celery, clients."""

import os

import pytest
from django.test import Client, override_settings

from bcp_portal.celery import app as celery_app
from bcp_portal.core import roles
from tests.factories import UserFactory
from tests.twofactor import sign_in_verified

pytest_plugins = ["tests.fixtures.worker", "tests.fixtures.browser"]

# Needs the deploy roles that scripts/check.sh creates; collected only when named on the
# command line, as that script does.
collect_ignore = ["bcp_portal/test_database_roles.py"]

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to be
# called from such a thread unless told it is safe (the live server runs elsewhere).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PERSONA_ROLES = {
    "sre": roles.SRE,
    "srelead": roles.SRE_LEAD,
    "engmgr": roles.ENGINEERING_MANAGER,
    "cto": roles.CTO,
    "dpo": roles.DPO,
    "legal": roles.LEGAL_COUNSEL,
    "auditor": roles.AUDITOR,
    "outsider": None,
}
PERSONAS = tuple(PERSONA_ROLES)


@pytest.fixture(scope="session", autouse=True)
def whitenoise_finds_static_files_on_request():
    """Each test client loads the middleware anew, and WhiteNoise would index every static
    file each time (about 0.05 s a client, half of the permission matrix's time). With
    autorefresh it looks a file up when one is requested instead; no test serves static
    files through it (the live server has a static handler of its own)."""
    with override_settings(WHITENOISE_AUTOREFRESH=True):
        yield


@pytest.fixture(scope="session", autouse=True)
def two_factor_required():
    """The suite runs as production does: two-factor required of staff and role holders
    (a test that needs it off sets `settings.TWO_FACTOR_REQUIRED = False`)."""
    with override_settings(TWO_FACTOR_REQUIRED=True):
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def celery_eager(request):
    """Unit tests run tasks in-process; tests marked `worker` use a real worker instead."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def make_persona(name: str):
    role = PERSONA_ROLES[name]
    return UserFactory(username=f"p-{name}", roles=[role] if role else [])


@pytest.fixture
def personas(db) -> dict:
    return {name: make_persona(name) for name in PERSONAS}


@pytest.fixture
def sre(db):
    return make_persona("sre")


@pytest.fixture
def srelead(db):
    return make_persona("srelead")


@pytest.fixture
def auditor(db):
    return make_persona("auditor")


@pytest.fixture
def outsider(db):
    return make_persona("outsider")


@pytest.fixture
def client_for():
    """`client_for(user)` returns a test client logged in as that user, in a session that
    passed two-factor (the user gets a confirmed authenticator app if they had none)."""

    def make(user) -> Client:
        client = Client()
        sign_in_verified(client, user)
        return client

    return make
