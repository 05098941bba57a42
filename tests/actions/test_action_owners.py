"""Issue #8, item 11: an action is owned by someone holding a role.

An account without a role cannot open the tracker, so an action given to it would sit
unseen (its reminders go to a person who cannot act). The services refuse such an owner
whichever way it comes (pages, API, admin), and every people picker for an owner lists only
the active accounts holding a role (`bcp_portal.core.roles.role_holders`).
"""

import pytest
from django.core.exceptions import ValidationError
from knox.models import AuthToken

from bcp_portal.actions import services
from bcp_portal.actions.models import Action
from bcp_portal.core import roles
from tests.actions.factories import ActionFactory, DrillReportFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roleless():
    return UserFactory(username="no-role", first_name="Nora", last_name="Nobody")


def api(client, user):
    _, key = AuthToken.objects.create(user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    return client


def test_the_service_refuses_an_owner_without_a_role(sre, roleless):
    with pytest.raises(ValidationError) as refused:
        services.action_create(
            actor=sre, title="Rotate keys", source=DrillReportFactory(), owner=roleless
        )

    assert "role" in refused.value.message_dict["owner"][0]
    assert not Action.objects.exists()


def test_the_api_refuses_an_owner_without_a_role_naming_the_field(client, sre, roleless):
    client = api(client, sre)
    created = client.post(
        "/api/v1/actions",
        {"title": "Rotate keys", "drill_report": DrillReportFactory().pk, "owner": roleless.pk},
        content_type="application/json",
    )
    action = ActionFactory(owner=sre)
    moved = client.patch(
        f"/api/v1/actions/{action.pk}", {"owner": roleless.pk}, content_type="application/json"
    )

    assert created.status_code == 400 and "owner" in created.json()["error"]["fields"]
    assert moved.status_code == 400 and "owner" in moved.json()["error"]["fields"]
    action.refresh_from_db()
    assert action.owner == sre


def test_the_edit_page_lists_only_people_with_a_role_and_refuses_others(client_for, sre, roleless):
    action = ActionFactory(owner=sre)
    client = client_for(sre)

    page = client.get(f"/actions/{action.pk}/edit/").content.decode()
    response = client.post(
        f"/actions/{action.pk}/edit/",
        {"title": action.title, "owner": roleless.pk, "priority": "medium"},
    )

    assert "Nora Nobody" not in page
    assert response.status_code == 200 and "valid choice" in response.content.decode()
    action.refresh_from_db()
    assert action.owner == sre


def test_the_report_form_lists_only_people_with_a_role(client_for, sre, roleless):
    report = DrillReportFactory(created_by=sre)

    page = client_for(sre).get(f"/drills/reports/{report.pk}/edit/").content.decode()

    assert "Nora Nobody" not in page


def test_an_owner_who_lost_their_role_does_not_block_other_changes(client_for, srelead):
    leaver = UserFactory(username="leaver", roles=[roles.SRE])
    action = ActionFactory(owner=leaver)
    leaver.groups.clear()

    services.action_update(actor=srelead, action=action, title="Renamed", owner=leaver)

    action.refresh_from_db()
    assert (action.title, action.owner) == ("Renamed", leaver)


def test_the_admin_offers_only_people_with_a_role_and_refuses_others(client_for, srelead, roleless):
    srelead.is_staff = True
    srelead.save()
    action = ActionFactory(owner=srelead)
    client = client_for(srelead)
    url = f"/admin/actions/action/{action.pk}/change/"

    page = client.get(url).content.decode()
    response = client.post(url, {"title": action.title, "owner": roleless.pk, "priority": "medium"})

    assert "Nora Nobody" not in page
    assert response.status_code == 200
    action.refresh_from_db()
    assert action.owner == srelead
