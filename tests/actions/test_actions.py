"""The action tracker: its model, its services (state machine, who may change what), pages."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string

from bcp_portal.actions import selectors, services
from bcp_portal.actions.models import Action
from tests.actions.factories import ActionFactory, DrillReportFactory, PersonFactory
from tests.conftest import make_persona

NOW = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)  # a Monday
TODAY = NOW.date()

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def engmgr(db):
    return make_persona("engmgr")


# --- model and creation -----------------------------------------------------------------


def test_an_action_from_a_post_mortem_goes_to_the_same_tracker(sre, client_for):
    from tests.incidents.factories import postmortem_published

    postmortem = postmortem_published(
        sre,
        actions=[{"title": "Add a payments canary", "owner": sre, "due_date": date(2026, 12, 1)}],
    )
    action = postmortem.actions.get()
    assert action.source == postmortem
    page = client_for(sre).get("/actions/", {"source": "postmortem"}).content.decode()
    assert "Add a payments canary" in page and postmortem.incident.reference in page


def test_an_action_added_to_a_draft_post_mortem_is_a_proposal_recorded_with_its_author(sre):
    # Like a draft drill report's: it opens when the post-mortem is published
    # (tests/incidents/test_postmortems.py).
    from tests.incidents.factories import postmortem_draft

    postmortem = postmortem_draft(sre)
    action = services.action_create(
        actor=sre, title="Automate the restore", source=postmortem, owner=sre
    )
    assert action.status == Action.Status.PROPOSED
    assert action.source == postmortem
    assert action.history.latest().history_user == sre


def test_creating_an_action_without_a_source_names_the_field(sre):
    with pytest.raises(ValidationError) as exc:
        services.action_create(actor=sre, title="Nowhere", source=sre)
    assert "source" in exc.value.message_dict


def test_an_auditor_cannot_create_an_action(auditor):
    with pytest.raises(PermissionDenied):
        services.action_create(actor=auditor, title="No", source=DrillReportFactory())


# --- the state machine --------------------------------------------------------------------


def test_the_status_moves_only_through_action_transition(sre):
    action = ActionFactory(owner=sre)
    with pytest.raises(TypeError, match="action_transition"):
        services.action_update(actor=sre, action=action, status=Action.Status.DONE)
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN


def test_an_invalid_move_is_refused_with_a_clear_message(sre):
    action = ActionFactory(owner=sre)
    services.action_transition(actor=sre, action=action, status=Action.Status.DONE)
    with pytest.raises(ValidationError) as exc:
        services.action_transition(actor=sre, action=action, status=Action.Status.IN_PROGRESS)
    message = exc.value.message_dict["status"][0]
    assert "“Done” cannot move to “In progress”" in message
    assert "“Open”" in message
    action.refresh_from_db()
    assert action.status == Action.Status.DONE


def test_an_unknown_status_is_refused(sre):
    action = ActionFactory(owner=sre)
    with pytest.raises(ValidationError) as exc:
        services.action_transition(actor=sre, action=action, status="finished")
    assert "status" in exc.value.message_dict


def test_done_sets_completed_at_and_reopening_clears_it(sre):
    action = ActionFactory(owner=sre)
    services.action_transition(actor=sre, action=action, status=Action.Status.IN_PROGRESS)
    services.action_transition(actor=sre, action=action, status=Action.Status.DONE)
    action.refresh_from_db()
    assert action.completed_at == NOW
    services.action_transition(actor=sre, action=action, status=Action.Status.OPEN)
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN
    assert action.completed_at is None


def test_a_cancelled_action_can_only_be_reopened(sre):
    action = ActionFactory(owner=sre)
    services.action_transition(actor=sre, action=action, status=Action.Status.CANCELLED)
    with pytest.raises(ValidationError):
        services.action_transition(actor=sre, action=action, status=Action.Status.DONE)
    services.action_transition(actor=sre, action=action, status=Action.Status.OPEN)
    assert action.status == Action.Status.OPEN


def test_history_records_who_changed_the_status(sre, srelead):
    action = ActionFactory(owner=sre)
    services.action_transition(actor=sre, action=action, status=Action.Status.IN_PROGRESS)
    services.action_transition(
        actor=srelead, action=action, status=Action.Status.DONE, comment="Runbook merged."
    )
    records = list(action.history.order_by("history_date", "history_id"))
    assert [(r.status, r.history_user) for r in records[-2:]] == [
        (Action.Status.IN_PROGRESS, sre),
        (Action.Status.DONE, srelead),
    ]


# --- who may change an action ---------------------------------------------------------------


def test_the_owner_moves_their_own_action(sre):
    action = ActionFactory(owner=sre)
    services.action_transition(actor=sre, action=action, status=Action.Status.IN_PROGRESS)
    assert action.status == Action.Status.IN_PROGRESS


def test_an_sre_cannot_move_or_edit_someone_elses_action(sre):
    action = ActionFactory(owner=PersonFactory(roles=["SRE"]))
    with pytest.raises(PermissionDenied, match="owner"):
        services.action_transition(actor=sre, action=action, status=Action.Status.DONE)
    with pytest.raises(PermissionDenied):
        services.action_update(actor=sre, action=action, due_date=date(2026, 1, 1))
    action.refresh_from_db()
    assert (action.status, action.due_date) == (Action.Status.OPEN, None)


@pytest.mark.parametrize("persona", ["srelead", "engmgr", "cto"])
def test_a_manager_moves_someone_elses_action(persona):
    manager = make_persona(persona)
    action = ActionFactory(owner=PersonFactory(roles=["SRE"]))
    services.action_transition(
        actor=manager, action=action, status=Action.Status.DONE, comment="Seen in the drill."
    )
    assert action.status == Action.Status.DONE


@pytest.mark.parametrize("persona", ["dpo", "legal", "auditor", "outsider"])
def test_a_read_only_role_cannot_move_even_its_own_action(persona):
    user = make_persona(persona)
    action = ActionFactory(owner=user)
    with pytest.raises(PermissionDenied):
        services.action_transition(actor=user, action=action, status=Action.Status.DONE)


def test_an_action_without_owner_is_for_managers_to_change(sre, srelead):
    action = ActionFactory(owner=None)
    with pytest.raises(PermissionDenied):
        services.action_transition(actor=sre, action=action, status=Action.Status.IN_PROGRESS)
    services.action_update(actor=srelead, action=action, owner=sre)
    services.action_transition(actor=sre, action=action, status=Action.Status.IN_PROGRESS)
    assert action.status == Action.Status.IN_PROGRESS


def test_an_edit_is_recorded_and_no_change_writes_no_history(sre):
    action = ActionFactory(owner=sre)
    before = action.history.count()
    services.action_update(actor=sre, action=action, title=action.title)
    assert action.history.count() == before
    services.action_update(actor=sre, action=action, priority=Action.Priority.HIGH)
    latest = action.history.latest()
    assert (latest.priority, latest.history_user) == (Action.Priority.HIGH, sre)


# --- selectors and the dashboard ------------------------------------------------------------


def test_the_list_filters_overdue_owner_and_search(sre):
    late = ActionFactory(owner=sre, due_date=date(2025, 6, 1), title="Rotate the keys")
    ActionFactory(owner=sre, due_date=date(2025, 7, 1), title="Write the runbook")
    ActionFactory(owner=None, title="Buy a generator")
    done_late = ActionFactory(owner=sre, due_date=date(2025, 6, 1), status=Action.Status.DONE)
    assert list(selectors.action_list(user=sre, overdue=True)) == [late]
    assert done_late not in selectors.action_list(user=sre, overdue=True)
    assert [a.title for a in selectors.action_list(user=sre, owner="none")] == ["Buy a generator"]
    assert [a.title for a in selectors.action_list(user=sre, search="write the")] == [
        "Write the runbook"
    ]
    assert selectors.action_list(user=sre, source="postmortem").count() == 0
    assert selectors.action_list(user=sre, source="drill_report").count() == 4


def test_a_user_without_the_view_permission_sees_no_action(outsider):
    ActionFactory()
    assert selectors.action_list(user=outsider).count() == 0
    assert selectors.my_actions_panel(outsider) is None


def test_my_actions_panel_lists_my_open_actions_overdue_first(sre):
    soon = ActionFactory(owner=sre, due_date=date(2025, 6, 20))
    late = ActionFactory(owner=sre, due_date=date(2025, 6, 10))
    ActionFactory(owner=sre, status=Action.Status.DONE)
    ActionFactory(owner=PersonFactory())
    panel = selectors.my_actions_panel(sre)
    assert panel.title == "My actions"
    assert panel.context["actions"] == [late, soon]
    assert panel.context["more"] is False


def test_my_actions_panel_lists_an_action_without_a_due_date_after_the_dated_ones(sre):
    undated = ActionFactory(owner=sre, due_date=None)
    later = ActionFactory(owner=sre, due_date=date(2025, 9, 1))
    late = ActionFactory(owner=sre, due_date=date(2025, 6, 1))
    assert selectors.my_actions_panel(sre).context["actions"] == [late, later, undated]


def test_my_actions_panel_shows_at_most_eight(sre):
    ActionFactory.create_batch(9, owner=sre)
    panel = selectors.my_actions_panel(sre)
    assert len(panel.context["actions"]) == 8 and panel.context["more"] is True


def test_my_actions_panel_labels_an_overdue_action(sre):
    ActionFactory(owner=sre, title="Patch the replica", due_date=date(2025, 6, 1))
    panel = selectors.my_actions_panel(sre)
    html = render_to_string(panel.template, {"ctx": panel.context})
    assert "Patch the replica" in html and "Overdue</span>" in html and "overdue" in html


# --- pages --------------------------------------------------------------------------------


def test_the_mine_page_shows_only_the_users_actions(client_for, sre):
    ActionFactory(owner=sre, title="Mine to do")
    ActionFactory(owner=PersonFactory(), title="Someone else's")
    ActionFactory(owner=None, title="Nobody's")
    page = client_for(sre).get("/actions/mine/").content.decode()
    assert "Mine to do" in page
    assert "Someone else&#x27;s" not in page and "Nobody&#x27;s" not in page


def test_the_all_actions_page_shows_everyones_actions(client_for, auditor):
    ActionFactory(owner=PersonFactory(), title="Someone else's")
    ActionFactory(owner=None, title="Nobody's")
    page = client_for(auditor).get("/actions/").content.decode()
    assert "Someone else&#x27;s" in page and "Nobody&#x27;s" in page


def _row(page: str, title: str) -> str:
    """The table row (its opening tag included) that shows `title`."""
    return next(row for row in page.split("<tr")[1:] if title in row)


def test_an_overdue_row_is_highlighted_and_labelled(client_for, sre):
    ActionFactory(owner=sre, title="Late one", due_date=date(2025, 6, 15))
    ActionFactory(owner=sre, title="On time", due_date=date(2025, 6, 16))
    page = client_for(sre).get("/actions/").content.decode()
    late, on_time = _row(page, "Late one"), _row(page, "On time")
    assert late.startswith(' class="overdue"') and "Overdue</span>" in late
    assert "overdue" not in on_time.split(">")[0] and "Overdue</span>" not in on_time


def test_the_overdue_filter_keeps_only_overdue_actions(client_for, sre):
    ActionFactory(owner=sre, title="Late one", due_date=date(2025, 6, 1))
    ActionFactory(owner=sre, title="Later one", due_date=date(2025, 8, 1))
    page = client_for(sre).get("/actions/", {"overdue": "1"}).content.decode()
    assert "Late one" in page and "Later one" not in page


def test_the_empty_pages_say_so(client_for, sre):
    client = client_for(sre)
    assert "No actions yet" in client.get("/actions/").content.decode()
    assert "No action is assigned to you" in client.get("/actions/mine/").content.decode()
    page = client.get("/actions/", {"q": "nothing"}).content.decode()
    assert "No action matches these filters" in page


def test_the_list_is_paginated(client_for, sre):
    ActionFactory.create_batch(26, owner=sre)
    page = client_for(sre).get("/actions/").content.decode()
    assert "Page 1 of 2" in page and "26 in all" in page


@pytest.mark.parametrize("rows", [2, 30])
def test_the_actions_page_query_count_does_not_grow_with_rows(
    client_for, sre, rows, django_assert_num_queries
):
    for _ in range(rows):
        ActionFactory(owner=PersonFactory(), due_date=date(2025, 6, 1))
    client = client_for(sre)
    client.get("/actions/")  # warm the session and permission caches
    # session, user, 2FA device, profile, permissions (one query), count, page rows, owner choices
    with django_assert_num_queries(8):
        assert client.get("/actions/").status_code == 200


def test_the_detail_page_shows_who_changed_what(client_for, sre, srelead):
    action = ActionFactory(owner=sre, title="Test the failover")
    services.action_transition(actor=sre, action=action, status=Action.Status.IN_PROGRESS)
    services.action_update(actor=srelead, action=action, priority=Action.Priority.HIGH)
    page = client_for(sre).get(f"/actions/{action.pk}/").content.decode()
    assert '<th scope="row" class="fw-normal">Status</th><td>Open</td><td>In progress</td>' in page
    assert '<th scope="row" class="fw-normal">Priority</th><td>Medium</td><td>High</td>' in page
    assert f"by {srelead.get_full_name()}" in page


def test_the_detail_page_offers_the_allowed_moves_to_the_owner_only(client_for, sre):
    action = ActionFactory(owner=sre)
    page = client_for(sre).get(f"/actions/{action.pk}/").content.decode()
    assert "Mark done" in page and "Start" in page and "Reopen" not in page
    other = make_persona("dpo")
    assert "Mark done" not in client_for(other).get(f"/actions/{action.pk}/").content.decode()


def test_the_status_button_moves_the_action(client_for, sre):
    action = ActionFactory(owner=sre)
    response = client_for(sre).post(f"/actions/{action.pk}/transition/", {"status": "done"})
    assert response.status_code == 302 and response["Location"] == action.get_absolute_url()
    action.refresh_from_db()
    assert action.status == Action.Status.DONE and action.completed_at == NOW
    assert action.history.latest().history_source == "web"


def test_an_invalid_move_from_the_page_explains_itself(client_for, sre):
    action = ActionFactory(owner=sre, status=Action.Status.DONE)
    client = client_for(sre)
    response = client.post(
        f"/actions/{action.pk}/transition/", {"status": "cancelled"}, follow=True
    )
    assert "cannot move to “Cancelled”" in response.content.decode()


def test_an_sre_cannot_move_someone_elses_action_from_the_page(client_for, sre):
    action = ActionFactory(owner=PersonFactory(roles=["SRE"]))
    response = client_for(sre).post(f"/actions/{action.pk}/transition/", {"status": "done"})
    assert response.status_code == 403
    assert client_for(sre).get(f"/actions/{action.pk}/edit/").status_code == 403


def test_the_transition_url_takes_only_post(client_for, sre):
    action = ActionFactory(owner=sre)
    assert client_for(sre).get(f"/actions/{action.pk}/transition/").status_code == 405


def test_a_rejected_edit_keeps_what_was_typed(client_for, sre):
    action = ActionFactory(owner=sre, title="Old title")
    response = client_for(sre).post(
        f"/actions/{action.pk}/edit/",
        {
            "title": "New half-typed title",
            "description": "keep me",
            "owner": sre.pk,
            "due_date": "not a date",
            "priority": "high",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="New half-typed title"' in page and "keep me" in page
    assert 'aria-invalid="true"' in page
    action.refresh_from_db()
    assert action.title == "Old title"


def test_the_owner_edits_the_due_date(client_for, sre):
    action = ActionFactory(owner=sre)
    response = client_for(sre).post(
        f"/actions/{action.pk}/edit/",
        {"title": action.title, "owner": sre.pk, "due_date": "2025-07-01", "priority": "low"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.due_date, action.priority) == (date(2025, 7, 1), Action.Priority.LOW)
    assert action.history.latest().history_user == sre
