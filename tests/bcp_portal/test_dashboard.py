"""The dashboard's frame and the panels its boxes load (bcp_portal.dashboard, .views)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from bcp_portal.actions.selectors import my_actions_panel
from bcp_portal.dashboard import PANELS, boxes_for, panel_name, panel_names, panels_for
from tests.actions.factories import ActionFactory
from tests.conftest import make_persona
from tests.dashboard import dashboard_load

pytestmark = pytest.mark.django_db

MANAGER_PANELS = {
    "drills-this-quarter",
    "overdue-actions",
    "rto-rpo-misses",
    "unexercised-services",
    "dr-metrics",
}
HTMX = {"HX-Request": "true"}


def _boxes(html: str) -> list[str]:
    return re.findall(r'data-panel-box data-testid="panel-([a-z-]+)"', html)


def test_every_listed_panel_has_a_name_and_a_route():
    assert panel_names() == [panel_name(path) for path in PANELS]
    for name in panel_names():
        assert reverse(f"panel-{name}") == f"/panels/{name}/"


@pytest.mark.parametrize("persona", ["sre", "srelead", "cto", "auditor", "outsider"])
def test_the_frame_lists_a_box_for_each_panel_the_persona_may_see(client_for, persona):
    user = make_persona(persona)
    html = client_for(user).get("/").content.decode()
    shown = _boxes(html)
    assert shown == [box.name for box in boxes_for(user)]
    # Every panel that computes for this person has its box (a box may still answer 404
    # when its panel has nothing for them: the approvals of a role no rule names).
    computed = {p.title for p in panels_for(user)}
    loaded = dashboard_load(client_for(user))
    for url, status in loaded.loaded.items():
        assert status in (200, 404), url
    assert len([s for s in loaded.loaded.values() if s == 200]) == len(computed)
    if persona in ("srelead", "cto"):
        assert set(shown) >= MANAGER_PANELS
    else:
        assert not MANAGER_PANELS & set(shown)
    if persona == "outsider":
        assert shown == []
        assert "Your role gives you no dashboard panels yet" in html


def test_each_box_says_it_is_loading_and_links_to_its_panel_for_a_browser_without_script(
    client_for, sre
):
    html = client_for(sre).get("/").content.decode()
    box = html[html.index('data-testid="panel-my-drills"') :]
    box = box[: box.index("</section>")]
    assert 'hx-get="/panels/my-drills/"' in box and 'hx-trigger="load"' in box
    assert 'aria-busy="true"' in box and 'role="status"' in box and "Loading…" in box
    assert '<a href="/panels/my-drills/">Open this panel</a>' in box
    assert "/static/js/dashboard.js" in html


@pytest.mark.parametrize("rows", [2, 30])
def test_the_frame_computes_no_panel_and_its_query_count_does_not_grow_with_rows(
    client_for, rows, django_assert_num_queries
):
    lead = make_persona("srelead")
    ActionFactory.create_batch(rows, owner=lead)
    client = client_for(lead)
    client.get("/")
    # session, user, 2FA device, profile, permissions and roles (one query), the roles the
    # approval matrix asks for (who sees "Waiting for your approval")
    with django_assert_num_queries(6):
        assert client.get("/").status_code == 200


def test_a_panel_answers_what_the_panel_computed_without_the_page_around_it(client_for, sre):
    mine = ActionFactory.create_batch(2, owner=sre)
    expected = [a.title for a in my_actions_panel(sre).context["actions"]]
    assert sorted(expected) == sorted(a.title for a in mine)
    response = client_for(sre).get(reverse("panel-my-actions"), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="card-body" data-testid="panel-body-my-actions">')
    assert '<h2 class="h5 card-title" id="panel-my-actions">My actions</h2>' in html
    for title in expected:
        assert title in html
    assert 'data-testid="main-nav"' not in html and "<html" not in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("rows", [2, 30])
def test_a_panels_query_count_does_not_grow_with_rows(client_for, rows, django_assert_num_queries):
    sre = make_persona("sre")
    ActionFactory.create_batch(rows, owner=sre)
    client = client_for(sre)
    client.get(reverse("panel-my-actions"), headers=HTMX)
    # session, user, 2FA device, profile, permissions, the actions (no navigation, no
    # two-factor banner: the answer has no page around it)
    with django_assert_num_queries(6):
        assert client.get(reverse("panel-my-actions"), headers=HTMX).status_code == 200


def test_without_script_the_panels_link_opens_it_on_a_page_of_its_own(client_for, sre):
    ActionFactory(owner=sre, title="Rotate the backup keys")
    html = client_for(sre).get(reverse("panel-my-actions")).content.decode()
    assert "Rotate the backup keys" in html
    assert 'data-testid="main-nav"' in html
    assert "Back to the dashboard" in html


@pytest.mark.parametrize("name", sorted(MANAGER_PANELS))
def test_a_persona_without_the_manager_role_gets_404_from_a_manager_panel(client_for, sre, name):
    client = client_for(sre)
    assert client.get(reverse(f"panel-{name}"), headers=HTMX).status_code == 404
    assert client.get(reverse(f"panel-{name}")).status_code == 404


def test_a_manager_gets_the_manager_panels(client_for):
    client = client_for(make_persona("cto"))
    for name in sorted(MANAGER_PANELS):
        assert client.get(reverse(f"panel-{name}"), headers=HTMX).status_code == 200, name


def test_an_anonymous_visitor_is_sent_to_sign_in_from_a_panel(client):
    response = client.get(reverse("panel-my-drills"), headers=HTMX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_frame_lists_the_approvals_box_only_for_whom_the_matrix_asks(client_for):
    from compliance.models import ApprovalRule

    sre, dpo = make_persona("sre"), make_persona("dpo")
    assert "approvals" not in _boxes(client_for(sre).get("/").content.decode())
    assert "approvals" in _boxes(client_for(dpo).get("/").content.decode())
    rule = ApprovalRule.objects.get(change_type="contact_update")
    rule.required_roles = [*rule.required_roles, "SRE"]
    rule.save()
    sre_client = client_for(sre)
    assert "approvals" in _boxes(sre_client.get("/").content.decode())
    assert sre_client.get(reverse("panel-approvals"), headers=HTMX).status_code == 200
