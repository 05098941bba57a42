"""The dashboard's "On call" panel."""

from datetime import UTC, datetime, timedelta

import pytest

from bcp_portal.catalogue.selectors import organisation_profile_read_once
from bcp_portal.dashboard import PANELS
from incidents.oncall_panels import oncall_panel
from incidents.tasks import escalation_advance
from tests.dashboard import dashboard_page
from tests.incidents.factories import declare
from tests.incidents.oncall_factories import rotation, sre

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def team(srelead, time_machine):
    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    alice, bob = sre("alice"), sre("bob")
    return rotation(srelead, [alice, bob], starts_at=T0), alice, bob


def test_the_panel_is_on_the_dashboard_and_hidden_from_an_outsider(outsider):
    assert "incidents.oncall_panels.oncall_panel" in PANELS
    assert oncall_panel(outsider) is None


def test_the_paged_person_sees_the_page_waiting_with_its_link_until_acknowledged(
    client_for, team, sre
):
    _, alice, bob = team
    declare(sre, severity="P0", title="Checkout down")
    panel = oncall_panel(alice)
    assert panel.context["current"].primary == alice
    [(page, link)] = panel.context["waiting"]
    assert page.escalation.incident.title == "Checkout down"
    assert oncall_panel(bob).context["waiting"] == []

    client_for(alice).post(link)
    assert oncall_panel(alice).context["waiting"] == []
    dashboard = dashboard_page(client_for(alice))
    assert "No page waits for your acknowledgement" in dashboard


@pytest.mark.parametrize("count", [3, 30])
def test_the_sre_lead_sees_missed_deadlines_in_a_fixed_number_of_queries(
    team, sre, srelead, time_machine, django_assert_num_queries, count
):
    for n in range(count):
        declare(sre, severity="P3", title=f"Slow page {n}")  # nobody delivers: all missed
    time_machine.move_to(T0 + timedelta(days=2), tick=False)
    escalation_advance()
    with organisation_profile_read_once(), django_assert_num_queries(6):
        panel = oncall_panel(srelead)
    assert len(panel.context["missed"]) == 5
    assert panel.context["more_missed"]
    assert oncall_panel(sre).context["show_missed"] is False
