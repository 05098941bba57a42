"""Actions typed into a draft report are proposals: in the tracker only once it is submitted."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bcp_portal.actions import selectors
from bcp_portal.actions.models import Action
from bcp_portal.actions.services import action_reminders_send, action_transition
from bcp_portal.core.models import OutboxMessage
from drills.services.reports import (
    ReportData,
    drill_report_revise,
    drill_report_save,
    drill_report_start,
    drill_report_submit,
)
from tests.drills.report_factories import ReportDrillFactory
from tests.drills.test_report_services import complete_data
from tests.factories import ServiceFactory


@pytest.fixture
def draft(sre):
    """A complete draft whose one action (owned by `sre`, due tomorrow) is proposed."""
    report = drill_report_start(actor=sre, drill=ReportDrillFactory())
    data = complete_data(sre, [ServiceFactory()])
    data.fields["drill_date"] = timezone.localdate() - dt.timedelta(days=1)
    data.actions = [
        {
            "title": "Fix the runbook link",
            "owner": sre,
            "due_date": timezone.localdate() + dt.timedelta(days=1),
        }
    ]
    return drill_report_save(actor=sre, report=report, data=data)


def report_action(report) -> Action:
    return Action.objects.get(drill_report_link__drill_report=report, title="Fix the runbook link")


def test_an_action_typed_into_a_draft_is_proposed_and_not_in_the_tracker(client_for, sre, draft):
    action = report_action(draft)
    client = client_for(sre)
    assert action.status == Action.Status.PROPOSED
    assert action not in selectors.action_list(user=sre)
    assert sre not in selectors.action_owners()
    assert selectors.my_actions_panel(sre).context["actions"] == []
    assert "Fix the runbook link" not in client.get("/actions/mine/").content.decode()
    assert "Fix the runbook link" not in client.get("/actions/").content.decode()
    assert client.get("/api/v1/actions").json()["results"] == []
    assert client.get(f"/api/v1/actions/{action.pk}").status_code == 404


def test_nobody_is_reminded_of_a_proposed_action(draft):
    assert action_reminders_send(now=timezone.now() + dt.timedelta(days=5)) == 0
    assert not OutboxMessage.objects.exists()


def test_the_report_shows_its_draft_actions_as_proposed(client_for, sre, draft):
    page = client_for(sre).get(draft.get_absolute_url()).content.decode()
    assert "Fix the runbook link" in page and 'data-testid="proposed-action"' in page


def test_submitting_the_report_puts_its_proposed_actions_in_the_tracker_open(sre, draft):
    drill_report_submit(actor=sre, report=draft)
    action = report_action(draft)
    assert action.status == Action.Status.OPEN
    assert action in selectors.action_list(user=sre)
    assert action_reminders_send() == 1


def test_the_status_buttons_cannot_move_a_proposal(client_for, sre, draft):
    action = report_action(draft)
    with pytest.raises(ValidationError, match="when the report is submitted"):
        action_transition(actor=sre, action=action, status=Action.Status.OPEN)
    client_for(sre).post(f"/actions/{action.pk}/transition/", {"status": "done"})
    action.refresh_from_db()
    assert action.status == Action.Status.PROPOSED


def test_a_revision_keeps_live_actions_and_treats_new_ones_as_proposals(sre, draft):
    drill_report_submit(actor=sre, report=draft)
    live = report_action(draft)
    report = drill_report_revise(actor=sre, report=draft, reason="Add the DNS action")
    due = timezone.localdate() + dt.timedelta(days=30)
    rows = [
        {"id": live.pk, "title": live.title, "owner": sre, "due_date": live.due_date},
        {"title": "Lower the DNS TTL", "owner": sre, "due_date": due},
    ]
    drill_report_save(actor=sre, report=report, data=ReportData(actions=rows))
    added = Action.objects.get(title="Lower the DNS TTL")
    live.refresh_from_db()
    assert (live.status, added.status) == (Action.Status.OPEN, Action.Status.PROPOSED)
    drill_report_submit(actor=sre, report=report)
    added.refresh_from_db()
    assert added.status == Action.Status.OPEN


def test_a_proposal_taken_out_of_the_draft_is_withdrawn(sre, draft):
    action = report_action(draft)
    drill_report_save(actor=sre, report=draft, data=ReportData(actions=[]))
    assert not Action.objects.filter(pk=action.pk).exists()
    assert action.history.filter(history_type="-").exists()


def test_a_live_action_taken_out_in_a_revision_is_cancelled_with_the_reason(sre, draft):
    drill_report_submit(actor=sre, report=draft)
    live = report_action(draft)
    report = drill_report_revise(actor=sre, report=draft, reason="Action not needed")
    drill_report_save(actor=sre, report=report, data=ReportData(actions=[]))
    live.refresh_from_db()
    assert live.status == Action.Status.CANCELLED
    assert live.history.latest().history_change_reason.startswith(
        f"Removed from {report.document_id}"
    )
