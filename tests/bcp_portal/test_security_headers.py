"""Headers on every answer (issue #8 items 11 and 13): the Content-Security-Policy, frame
denial, referrer policy, and `Cache-Control: private, no-store` for signed-in pages and the
API. The browser journeys check that no page breaks the policy (tests/fixtures/browser.py)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from knox.models import AuthToken

pytestmark = pytest.mark.django_db

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", Path(settings.BASE_DIR) / "bcp_portal"]
# PDF templates are rendered by WeasyPrint, never served to a browser.
NOT_SERVED = ("print/",)


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())


def test_every_page_carries_a_policy_without_inline_script_or_style(client, client_for, sre):
    for response in (client.get(reverse("login")), client_for(sre).get(reverse("dashboard"))):
        policy = directives(response)
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert policy["object-src"] == "'none'"
        assert policy["frame-ancestors"] == "'none'"
        assert "unsafe" not in response["Content-Security-Policy"]


def test_frames_are_denied_and_referrers_kept_to_the_site(client, db):
    response = client.get(reverse("login"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_served_template_holds_an_inline_script_style_or_event_handler():
    found = []
    for root in TEMPLATE_DIRS:
        for path in root.rglob("*.html"):
            relative = path.relative_to(root).as_posix()
            if relative.startswith(NOT_SERVED):
                continue
            text = path.read_text()
            if re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text):
                found.append(f"{relative}: inline <script>")
            if re.search(r"<style[\s>]", text) or re.search(r"\sstyle=", text):
                found.append(f"{relative}: inline style")
            if re.search(r"\son[a-z]+=", text):
                found.append(f"{relative}: event handler attribute")
    assert found == []


def test_the_api_docs_load_their_script_from_a_file(client):
    page = client.get(reverse("api-docs")).content.decode()
    script = client.get(reverse("api-docs") + "?script=")

    assert "<script>" not in page
    assert 'src="/api/docs/?script="' in page
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_a_signed_in_page_is_private_and_not_stored(client_for, sre):
    response = client_for(sre).get(reverse("catalogue:service-list"))

    cache = response["Cache-Control"]
    assert "private" in cache and "no-store" in cache


@pytest.mark.parametrize("via", ["token", "anonymous"])
def test_every_api_answer_is_private_and_not_stored(client, sre, via):
    headers = {}
    if via == "token":
        _, token = AuthToken.objects.create(user=sre)
        headers["HTTP_AUTHORIZATION"] = f"Token {token}"

    response = client.get(reverse("api:service-list"), **headers)

    assert response.status_code == (200 if via == "token" else 401)
    cache = response["Cache-Control"]
    assert "private" in cache and "no-store" in cache


def test_an_anonymous_page_is_left_alone_and_static_files_stay_cacheable(client, live_server):
    import urllib.request

    assert "private" not in client.get(reverse("password_reset")).get("Cache-Control", "")
    with urllib.request.urlopen(live_server.url + "/static/css/portal.css") as static:
        assert "no-store" not in (static.headers.get("Cache-Control") or "")
