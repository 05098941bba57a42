"""The role table in docs/ARCHITECTURE.md and the navigation code must agree."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from bcp_portal.core import roles
from bcp_portal.navigation import NAVIGATION, incident_sections_for, navigation_for
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


def documented_incident_sections() -> dict[str, list[str]]:
    text = DOC.read_text()
    table = re.search(
        r"<!-- role-incident-sections-table -->(.*?)<!-- /role-incident-sections-table -->",
        text,
        re.S,
    ).group(1)
    rows = {}
    for line in table.strip().splitlines()[2:]:
        role, tabs = (cell.strip() for cell in line.strip().strip("|").split("|"))
        rows[role] = [item.strip() for item in tabs.split(",") if item.strip() != "-"]
    return rows


@pytest.mark.parametrize("role", [*roles.ALL_ROLES, "(no role)"])
def test_each_role_sees_exactly_the_documented_incident_tabs(db, role):
    user = UserFactory(username=f"tabs-{role}", roles=[] if role == "(no role)" else [role])
    labels = [item.label for item in incident_sections_for(user)]
    assert labels == documented_incident_sections()[role]


def test_the_top_bar_keeps_the_incident_pages_under_one_entry():
    labels = [item.label for item in NAVIGATION]
    assert "Incidents" in labels
    assert not {"Post-mortems", "On call", "DR metrics"} & set(labels)


def _tabs(html: str) -> list[tuple[str, bool]]:
    block = re.search(r'data-testid="incident-sections">(.*?)</ul>', html, re.S)
    if block is None:
        return []
    return [
        (label, "active" in classes)
        for classes, label in re.findall(
            r'class="nav-link([^"]*)"[^>]*>([^<]+)</a>', block.group(1)
        )
    ]


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/incidents/", "Incidents"),
        ("/incidents/postmortems/", "Post-mortems"),
        ("/oncall/", "On call"),
        ("/oncall/matrix/", "On call"),
        ("/incidents/metrics/", "DR metrics"),
        ("/incidents/types/", "Types"),
        ("/incidents/intake/", "Alert intake"),
    ],
)
def test_every_incident_page_shows_its_tabs_with_its_own_one_current(
    client_for, srelead, path, current
):
    response = client_for(srelead).get(path)
    assert response.status_code == 200
    tabs = _tabs(response.content.decode())
    assert [label for label, _ in tabs] == documented_incident_sections()[roles.SRE_LEAD]
    assert [label for label, active in tabs if active] == [current]
    nav = re.search(r'data-testid="main-nav">(.*?)</ul>', response.content.decode(), re.S)
    assert 'active" aria-current="page" href="/incidents/">Incidents' in re.sub(
        r"\s+", " ", nav.group(1)
    )


def test_pages_outside_incidents_show_no_incident_tabs(client_for, srelead):
    assert _tabs(client_for(srelead).get("/").content.decode()) == []
    assert _tabs(client_for(srelead).get("/drills/").content.decode()) == []


def test_an_sre_sees_no_tab_for_the_pages_they_may_not_open(client_for, sre):
    labels = [label for label, _ in _tabs(client_for(sre).get("/incidents/").content.decode())]
    assert labels == documented_incident_sections()[roles.SRE]
    assert "Alert intake" not in labels


def test_the_incident_list_filters_fit_two_rows_of_a_laptop_and_leave_links_to_the_tabs(
    client_for, srelead
):
    html = client_for(srelead).get("/incidents/").content.decode()
    # At xl widths: search (4) + four selects (2 each) on one row, the dates on the next;
    # equal `col-xl` columns squeezed the selects to one letter at 1366 px.
    assert html.count('class="col-6 col-md-3 col-xl-2"') == 6
    assert 'class="col-12 col-md-6 col-xl-4"' in html
    assert ">Incident types</a>" not in html  # the Types tab replaces the header button
