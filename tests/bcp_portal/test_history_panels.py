"""History panels of drills, services and actions: what changed, before and after, by whom."""

import pytest

from bcp_portal.actions import services as action_services
from bcp_portal.actions.models import Action
from bcp_portal.catalogue import services as catalogue_services
from bcp_portal.core import roles
from drills.services import planning
from tests.actions.factories import ActionFactory, PersonFactory
from tests.drills.factories import DrillFactory
from tests.factories import ServiceFactory

LONG_TEXT = "Restore the primary database from the nightly backup " * 10


def _named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save()
    return user


def test_the_drill_panel_shows_each_changed_field_before_and_after(client_for, sre, srelead):
    _named(srelead, "Lena", "Lead")
    other = PersonFactory(first_name="Omar", last_name="Okafor")
    drill = DrillFactory(title="Failover", planned_duration_minutes=60)
    planning.drill_update(
        actor=srelead, drill=drill, title="Regional failover", participants=[other]
    )
    page = client_for(sre).get(drill.get_absolute_url()).content.decode()
    assert 'data-testid="drill-history"' in page
    assert "<td>Failover</td><td>Regional failover</td>" in page
    assert "<td>—</td><td>Omar Okafor</td>" in page  # participants by name
    assert "by Lena Lead" in page and f"by {srelead.username}" not in page


def test_the_service_panel_shows_each_changed_field_before_and_after(client_for, sre, srelead):
    _named(srelead, "Lena", "Lead")
    service = ServiceFactory(name="Billing", rto_target_minutes=240)
    catalogue_services.service_update(actor=srelead, service=service, rto_target_minutes=120)
    page = client_for(sre).get(service.get_absolute_url()).content.decode()
    assert 'data-testid="service-history"' in page
    assert "<td>240</td><td>120</td>" in page
    assert "by Lena Lead" in page


def test_the_action_panel_names_owners_and_uses_the_shared_helper(client_for, sre, srelead):
    _named(sre, "Sam", "Reyes")
    _named(srelead, "Lena", "Lead")
    action = ActionFactory(owner=sre, title="Test the failover")
    action_services.action_transition(actor=sre, action=action, status=Action.Status.IN_PROGRESS)
    action_services.action_update(actor=srelead, action=action, owner=srelead)
    page = client_for(sre).get(action.get_absolute_url()).content.decode()
    assert "<td>Open</td><td>In progress</td>" in page
    assert "<td>Sam Reyes</td><td>Lena Lead</td>" in page
    assert "by Lena Lead" in page


def test_a_long_text_is_cut_at_a_word_never_inside_one(client_for, sre, srelead):
    service = ServiceFactory(description="short")
    catalogue_services.service_update(actor=srelead, service=service, description=LONG_TEXT)
    page = client_for(sre).get(service.get_absolute_url()).content.decode()
    shown = page.split("<td>short</td><td>")[1].split("</td>")[0]
    assert shown.endswith("…") and shown[:-1].split()[-1] in LONG_TEXT.split()
    assert LONG_TEXT.startswith(shown[:-1].rstrip())


@pytest.mark.parametrize("records", [2, 30])
def test_the_drill_panel_query_count_does_not_grow_with_history(
    client_for, sre, srelead, records, django_assert_num_queries
):
    people = [PersonFactory() for _ in range(3)]
    drill = DrillFactory(title="Drill 0")
    for n in range(1, records):
        planning.drill_update(
            actor=srelead, drill=drill, title=f"Drill {n}", participants=[people[n % 3]]
        )
    client = client_for(sre)
    client.get(drill.get_absolute_url())  # warm the session and permission caches
    with django_assert_num_queries(QUERIES["drill"]):
        assert client.get(drill.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("records", [2, 30])
def test_the_service_panel_query_count_does_not_grow_with_history(
    client_for, sre, srelead, records, django_assert_num_queries
):
    service = ServiceFactory(rto_target_minutes=10)
    for n in range(1, records):
        catalogue_services.service_update(actor=srelead, service=service, rto_target_minutes=10 + n)
    client = client_for(sre)
    client.get(service.get_absolute_url())
    with django_assert_num_queries(QUERIES["service"]):
        assert client.get(service.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("records", [2, 30])
def test_the_action_panel_query_count_does_not_grow_with_history(
    client_for, sre, srelead, records, django_assert_num_queries
):
    owners = [PersonFactory(roles=[roles.SRE]) for _ in range(3)]  # an owner holds a role
    action = ActionFactory(owner=sre)
    for n in range(1, records):
        action_services.action_update(actor=srelead, action=action, owner=owners[n % 3])
    client = client_for(sre)
    client.get(action.get_absolute_url())
    with django_assert_num_queries(QUERIES["action"]):
        assert client.get(action.get_absolute_url()).status_code == 200


# session, user, 2FA device, profile, permissions and roles (one query), the page's own rows, the
# history rows, the names they hold (one query per related model, and one for many-to-many
# rows): the same for a history of 2 records as for 30.
QUERIES = {"drill": 11, "service": 7, "action": 8}
