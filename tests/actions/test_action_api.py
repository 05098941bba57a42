"""/api/v1/actions: list, filters, create from a drill report, PATCH through the services."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from bcp_portal.actions.models import Action
from tests.actions.factories import ActionFactory, DrillReportFactory, PersonFactory
from tests.conftest import make_persona

LIST_URL = "/api/v1/actions"
NOW = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def detail_url(action: Action) -> str:
    return f"{LIST_URL}/{action.pk}"


def test_the_routes_are_registered_under_their_names():
    assert reverse("api:action-list") == LIST_URL
    assert reverse("api:action-detail", args=[7]) == f"{LIST_URL}/7"


def test_the_list_shows_each_action_with_its_source_and_overdue_flag(client_for, sre):
    report = DrillReportFactory()
    action = ActionFactory(owner=sre, drill_report=report, due_date=date(2025, 6, 1))
    body = client_for(sre).get(LIST_URL).json()
    [row] = body["results"]
    assert row["id"] == action.pk and row["owner"] == sre.pk
    assert row["status"] == "open" and row["is_overdue"] is True
    assert row["drill_report"] == report.pk
    assert row["source"]["type"] == "drill_report"
    assert row["source"]["label"].startswith(f"Drill report {report.document_id}")
    assert row["url"] == action.get_absolute_url()


def test_the_list_filters_mine_status_and_overdue(client_for, sre):
    mine_late = ActionFactory(owner=sre, due_date=date(2025, 6, 1))
    mine_done = ActionFactory(owner=sre, status=Action.Status.DONE)
    theirs_late = ActionFactory(owner=PersonFactory(), due_date=date(2025, 6, 1))
    client = client_for(sre)

    def ids(**params) -> set[int]:
        return {row["id"] for row in client.get(LIST_URL, params).json()["results"]}

    assert ids(mine="true") == {mine_late.pk, mine_done.pk}
    assert ids(status="done") == {mine_done.pk}
    assert ids(overdue="true") == {mine_late.pk, theirs_late.pk}
    assert ids(mine="1", overdue="1") == {mine_late.pk}


@pytest.mark.parametrize("rows", [2, 30])
def test_the_list_takes_the_same_queries_for_2_and_30_rows(
    client_for, sre, rows, django_assert_num_queries
):
    for _ in range(rows):
        ActionFactory(owner=PersonFactory())
    client = client_for(sre)
    client.get(LIST_URL)  # warm the session and permission caches
    # session, user, 2FA device, profile, permissions (one query), page rows with owner,
    # report and drill
    with django_assert_num_queries(6):
        response = client.get(LIST_URL)
    assert len(response.json()["results"]) == rows


def test_an_sre_creates_an_action_from_a_drill_report(client_for, sre):
    # A draft, or a revision: a submitted report takes no new action (issue #8, item 4).
    report = DrillReportFactory()
    response = client_for(sre).post(
        LIST_URL,
        {
            "title": "Script the failover",
            "drill_report": report.pk,
            "owner": sre.pk,
            "due_date": "2025-07-01",
            "priority": "high",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    action = Action.objects.get(pk=response.json()["id"])
    assert (action.source, action.owner, action.status) == (report, sre, "proposed")
    latest = action.history.latest()
    assert (latest.history_user, latest.history_source) == (sre, "api")


def test_an_action_posted_to_a_draft_report_is_a_proposal_kept_out_of_the_tracker(client_for, sre):
    report = DrillReportFactory()  # a draft
    client = client_for(sre)
    response = client.post(
        LIST_URL,
        {"title": "Script the failover", "drill_report": report.pk, "owner": sre.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    action = Action.objects.get(pk=response.json()["id"])
    assert action.status == Action.Status.PROPOSED
    listed = [row["id"] for row in client.get(LIST_URL).json()["results"]]
    assert action.pk not in listed


def test_a_validation_error_names_the_field(client_for, sre):
    response = client_for(sre).post(
        LIST_URL, {"title": "No source", "priority": "urgent"}, content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"drill_report", "priority"}
    assert "drill_report" in error["message"]


def test_an_auditor_cannot_patch(client_for, auditor):
    action = ActionFactory(owner=auditor)
    response = client_for(auditor).patch(
        detail_url(action), {"title": "Changed"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    action.refresh_from_db()
    assert action.title != "Changed"


def test_an_auditor_cannot_create(client_for, auditor):
    response = client_for(auditor).post(
        LIST_URL,
        {"title": "No", "drill_report": DrillReportFactory().pk},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_an_sre_cannot_patch_someone_elses_action(client_for, sre):
    action = ActionFactory(owner=PersonFactory(roles=["SRE"]))
    response = client_for(sre).patch(
        detail_url(action), {"status": "done"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "owner" in response.json()["error"]["message"]
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN


def test_a_patch_of_the_status_goes_through_the_state_machine(client_for, sre):
    action = ActionFactory(owner=sre)
    client = client_for(sre)
    response = client.patch(detail_url(action), {"status": "done"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done"
    assert response.json()["completed_at"] is not None
    response = client.patch(
        detail_url(action), {"status": "in_progress"}, content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert list(error["fields"]) == ["status"]
    assert "cannot move to “In progress”" in error["fields"]["status"][0]


def test_a_patch_changes_fields_and_status_together(client_for, srelead):
    action = ActionFactory(owner=PersonFactory(roles=["SRE"]))
    response = client_for(srelead).patch(
        detail_url(action),
        {"due_date": "2025-08-01", "status": "in_progress"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    action.refresh_from_db()
    assert (action.due_date, action.status) == (date(2025, 8, 1), Action.Status.IN_PROGRESS)
    assert action.history.latest().history_user == srelead


def test_the_source_of_an_action_cannot_be_changed(client_for, sre):
    action = ActionFactory(owner=sre)
    original = action.source
    client_for(sre).patch(
        detail_url(action),
        {"drill_report": DrillReportFactory().pk},
        content_type="application/json",
    )
    action.refresh_from_db()
    assert action.source == original


def test_a_new_action_cannot_start_finished(client_for, sre):
    response = client_for(sre).post(
        LIST_URL,
        {"title": "Done already", "drill_report": DrillReportFactory().pk, "status": "done"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["status"]


@pytest.mark.parametrize("persona", ["dpo", "legal", "auditor", "engmgr", "cto"])
def test_read_only_and_manager_roles_read_the_list(client_for, persona):
    ActionFactory()
    assert client_for(make_persona(persona)).get(LIST_URL).status_code == 200


def test_an_outsider_cannot_read_the_list(client_for, outsider):
    assert client_for(outsider).get(LIST_URL).status_code == 403
