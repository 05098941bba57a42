"""Smoke test of the `make run` setup: demo data, then every page as each demo persona.

scripts/check.sh runs it with DATABASE_URL and CELERY_BROKER_URL unset, so it exercises
SQLite and eager Celery exactly as a newcomer gets them (pytest-django migrates a fresh
SQLite database first). For each persona it opens every page in that persona's navigation
(each must answer 200) and every page those link to within the site (none may fail or be
a broken link).
"""

from __future__ import annotations

from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urldefrag

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

import bcp_portal.demo
import bcp_portal.management.commands.demo
from bcp_portal.demo import DEMO_PEOPLE
from tests.twofactor import sign_in_verified

pytestmark = pytest.mark.django_db

# Not pages: assets, and the logout form's target (POST only).
NOT_PAGES = ("/static/", "/media/", "/accounts/logout/")


class LinkParser(HTMLParser):
    """Collects site-internal links, and separately those inside the main navigation."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.nav_links: list[str] = []
        self._nav_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self._nav_depth:
            self._nav_depth += 1
        elif attributes.get("data-testid") == "main-nav":
            self._nav_depth = 1
        if tag == "a" and (href := attributes.get("href")):
            href = urldefrag(href).url
            if href.startswith("/") and not href.startswith("//"):
                self.links.append(href)
                if self._nav_depth:
                    self.nav_links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if self._nav_depth:
            self._nav_depth -= 1


def parse(html: bytes) -> LinkParser:
    parser = LinkParser()
    parser.feed(html.decode())
    return parser


def is_page(url: str) -> bool:
    return not url.startswith(NOT_PAGES)


@pytest.fixture
def demo(monkeypatch, tmp_path):
    # Keep the developer's var/demo-logins.txt (it matches their db.sqlite3).
    logins = tmp_path / "demo-logins.txt"
    monkeypatch.setattr(bcp_portal.demo, "LOGINS_FILE", logins)
    monkeypatch.setattr(bcp_portal.management.commands.demo, "LOGINS_FILE", logins)
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def pages_that_fail(username: str) -> list[str]:
    """Opens the persona's navigation, then every site page those pages link to."""
    # A failing page becomes a 500 in the list instead of stopping at the first one.
    client = Client(raise_request_exception=False)
    # The demo set up two-factor for its users: a session that passed it, as after the
    # code step (and no device made up here: the demo's own is used).
    sign_in_verified(client, get_user_model().objects.get(username=username))
    dashboard = client.get("/")
    if dashboard.status_code != 200:
        return [f"dashboard: {dashboard.status_code}"]
    nav = [url for url in dict.fromkeys(parse(dashboard.content).nav_links) if is_page(url)]
    if not nav:
        return ["the navigation is empty"]

    problems: list[str] = []
    linked: dict[str, str] = {}
    for url in nav:
        response = client.get(url)
        if response.status_code != 200:
            problems.append(f"nav {url}: {response.status_code}")
            continue
        if "html" in response.get("Content-Type", ""):
            for link in parse(response.content).links:
                if is_page(link) and link not in nav:
                    linked.setdefault(link, url)
    for url, source in linked.items():
        status = client.get(url).status_code
        # A link someone is shown must work for them: no 5xx, no 404, no 403.
        if status >= 500 or status in (403, 404):
            problems.append(f"{url} (linked from {source}): {status}")
    return problems


def test_it_runs_on_sqlite_with_eager_tasks(settings):
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings.CELERY_TASK_ALWAYS_EAGER


# One test with a subtest per persona: the demo data takes seconds to load, once is enough.
def test_every_page_opens_for_each_demo_persona(demo, subtests):
    for username, *_ in DEMO_PEOPLE:
        with subtests.test(persona=username):
            assert f"  {username} " in demo, "the demo did not print this login"
            assert pages_that_fail(username) == []
