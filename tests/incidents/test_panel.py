"""The dashboard's "Active incidents" panel, and the demo's incident."""

from __future__ import annotations

from io import StringIO

import pytest

from bcp_portal.dashboard import PANELS
from incidents.demo_declare import TITLE, load_demo_incident
from incidents.models import Incident
from incidents.panels import PANEL_ROWS, active_incidents_panel
from incidents.services.lifecycle import incident_set_status
from tests.dashboard import dashboard_page
from tests.factories import UserFactory
from tests.incidents.factories import declare

pytestmark = pytest.mark.django_db


def test_the_panel_is_on_the_dashboard_list():
    assert "incidents.panels.active_incidents_panel" in PANELS


def test_the_panel_lists_unrestored_incidents_most_severe_first(client_for, sre, auditor):
    declare(sre, title="Search slow", severity="P3")
    declare(sre, title="Checkout down", severity="P0")
    done = declare(sre, title="Fixed already", severity="P1")
    incident_set_status(actor=sre, incident=done, status="restored")
    panel = active_incidents_panel(auditor)
    assert [i.title for i in panel.context["incidents"]] == ["Checkout down", "Search slow"]
    assert panel.context["count"] == 2 and not panel.context["can_declare"]
    page = dashboard_page(client_for(sre))
    active = page[page.index('data-testid="active-incidents"') :]
    active = active[: active.index("</ul>")]
    # A restored incident is not active (the post-mortems panel may list it, as due).
    assert "Checkout down" in active and "Fixed already" not in active


def test_the_panel_counts_beyond_its_rows_and_links_to_the_open_list(client_for, sre):
    for n in range(PANEL_ROWS + 2):
        declare(sre, title=f"Incident {n}")
    panel = active_incidents_panel(sre)
    assert len(panel.context["incidents"]) == PANEL_ROWS
    assert panel.context["count"] == PANEL_ROWS + 2 and panel.context["more"]
    assert "/incidents/?open=1" in dashboard_page(client_for(sre))


def test_the_panel_is_hidden_from_someone_without_a_role(outsider):
    assert active_incidents_panel(outsider) is None


def test_the_panel_says_when_nothing_is_active(client_for, sre):
    assert "No active incident." in dashboard_page(client_for(sre))


@pytest.mark.parametrize("rows", [2, 30])
def test_the_panel_query_count_does_not_grow_with_rows(sre, rows, django_assert_num_queries):
    for n in range(rows):
        declare(sre, title=f"Incident {n}")
    sre.has_perm("incidents.view_incident")  # permissions are read once per user
    with django_assert_num_queries(2):
        active_incidents_panel(sre)


def test_the_demo_declares_one_incident_once():
    UserFactory(username="sre", roles=["SRE"])
    out = StringIO()
    load_demo_incident(out)
    load_demo_incident(out)
    incident = Incident.objects.get()
    assert incident.status == "responding"
    assert incident.timeline.count() == 3
    assert out.getvalue().count("declared") == 1


def test_the_demo_declares_its_live_incident_after_the_year_of_incidents(sre):
    # The demo runs the year of incidents first: the live incident must still be declared.
    UserFactory(username="sre", roles=["SRE"])
    declare(sre, title="An incident of the demo year")
    load_demo_incident(StringIO())
    live = Incident.objects.get(title=TITLE)
    assert live.status == "responding"
    assert Incident.objects.count() == 2
