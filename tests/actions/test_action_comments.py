"""Closing an action someone else owns needs a comment, the evidence, kept in its history."""

import pytest
from django.core.exceptions import ValidationError

from bcp_portal.actions import services
from bcp_portal.actions.models import Action
from tests.actions.factories import ActionFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def theirs(db):
    return ActionFactory(owner=PersonFactory(roles=["SRE"]), title="Rotate the backup keys")


@pytest.mark.parametrize("status", [Action.Status.DONE, Action.Status.CANCELLED])
def test_a_manager_closing_someone_elses_action_without_a_comment_is_refused(
    srelead, theirs, status
):
    with pytest.raises(ValidationError) as refused:
        services.action_transition(actor=srelead, action=theirs, status=status, comment="  ")
    assert refused.value.message_dict["comment"] == [services.COMMENT_NEEDED]
    theirs.refresh_from_db()
    assert theirs.status == Action.Status.OPEN


def test_the_comment_is_kept_as_the_reason_in_the_actions_history(srelead, theirs):
    services.action_transition(
        actor=srelead, action=theirs, status=Action.Status.DONE, comment="Keys rotated in INC-9."
    )
    latest = theirs.history.latest()
    assert (latest.status, latest.history_change_reason) == ("done", "Keys rotated in INC-9.")


def test_the_owner_completes_their_own_action_without_a_comment(sre):
    action = ActionFactory(owner=sre)
    services.action_transition(actor=sre, action=action, status=Action.Status.DONE)
    assert action.status == Action.Status.DONE


def test_a_manager_starting_someone_elses_action_needs_no_comment(srelead, theirs):
    services.action_transition(actor=srelead, action=theirs, status=Action.Status.IN_PROGRESS)
    assert theirs.status == Action.Status.IN_PROGRESS


def test_the_action_page_asks_a_manager_for_a_comment_but_not_the_owner(client_for, srelead, sre):
    action = ActionFactory(owner=sre)
    manager_page = client_for(srelead).get(f"/actions/{action.pk}/").content.decode()
    owner_page = client_for(sre).get(f"/actions/{action.pk}/").content.decode()
    assert 'data-testid="transition-comment"' in manager_page and 'name="comment"' in manager_page
    assert "Mark done" in owner_page and 'name="comment"' not in owner_page


def test_marking_someone_elses_action_done_on_the_page_without_a_comment_says_why(
    client_for, srelead, theirs
):
    response = client_for(srelead).post(f"/actions/{theirs.pk}/transition/", {"status": "done"})
    assert response.status_code == 400
    assert services.COMMENT_NEEDED in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == Action.Status.OPEN


def test_the_comment_from_the_page_shows_in_the_actions_history(client_for, srelead, theirs):
    client = client_for(srelead)
    response = client.post(
        f"/actions/{theirs.pk}/transition/", {"status": "done", "comment": "Verified in prod."}
    )
    assert response.status_code == 302
    page = client.get(f"/actions/{theirs.pk}/").content.decode()
    assert "Verified in prod." in page and 'data-testid="change-reason"' in page


def test_the_api_refuses_closing_someone_elses_action_without_a_comment(
    client_for, srelead, theirs
):
    response = client_for(srelead).patch(
        f"/api/v1/actions/{theirs.pk}", {"status": "done"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["comment"] == [services.COMMENT_NEEDED]
    theirs.refresh_from_db()
    assert theirs.status == Action.Status.OPEN


def test_the_api_closes_someone_elses_action_with_a_comment(client_for, srelead, theirs):
    response = client_for(srelead).patch(
        f"/api/v1/actions/{theirs.pk}",
        {"status": "cancelled", "comment": "Superseded by the new backup vendor."},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert "comment" not in response.json()
    assert theirs.history.latest().history_change_reason == "Superseded by the new backup vendor."
