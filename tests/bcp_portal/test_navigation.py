"""The role table in docs/ARCHITECTURE.md and the navigation code must agree."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from bcp_portal.core import roles
from bcp_portal.navigation import navigation_for
from tests.factories import UserFactory

DOC = Path(settings.BASE_DIR) / "docs" / "ARCHITECTURE.md"
# The demo makes these roles staff accounts; the table documents the demo's view.
STAFF_ROLES = {roles.SRE_LEAD, roles.CTO}


def documented_navigation() -> dict[str, list[str]]:
    text = DOC.read_text()
    table = re.search(
        r"<!-- role-navigation-table -->(.*?)<!-- /role-navigation-table -->", text, re.S
    ).group(1)
    rows = {}
    for line in table.strip().splitlines()[2:]:
        role, nav = (cell.strip() for cell in line.strip().strip("|").split("|"))
        rows[role] = [item.strip() for item in nav.split(",")]
    return rows


def test_the_table_lists_every_role_and_people_without_one():
    assert set(documented_navigation()) == {*roles.ALL_ROLES, "(no role)"}


@pytest.mark.parametrize("role", [*roles.ALL_ROLES, "(no role)"])
def test_each_role_sees_exactly_the_documented_navigation(db, role):
    user = UserFactory(
        username=f"nav-{role}",
        roles=[] if role == "(no role)" else [role],
        is_staff=role in STAFF_ROLES,
    )
    labels = [item.label for item in navigation_for(user)]
    assert labels == documented_navigation()[role]


def test_the_rendered_page_shows_only_the_allowed_entries(client_for, auditor):
    html = client_for(auditor).get("/").content.decode()
    nav = re.search(r'data-testid="main-nav">(.*?)</ul>', html, re.S).group(1)
    shown = re.findall(r'href="[^"]+">([^<]+)</a>', nav)
    assert shown == documented_navigation()[roles.AUDITOR]
