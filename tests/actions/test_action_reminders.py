"""Action reminders: due soon, overdue, escalated; each once, caught up after a missed day."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group

from bcp_portal.actions import services
from bcp_portal.actions.models import Action
from bcp_portal.actions.tasks import action_reminders
from bcp_portal.core.models import OutboxMessage
from tests.actions.factories import ActionFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


DUE = date(2025, 6, 20)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 10, tzinfo=UTC)


def run(day: date, hour: int = 10) -> int:
    """One hourly run of the periodic task, with the clock at `day`, `hour`:10 UTC."""
    with time_machine.travel(at(day, hour), tick=False):
        return action_reminders.delay().get()


def keys() -> list[str]:
    return sorted(OutboxMessage.objects.values_list("dedup_key", flat=True))


@pytest.fixture
def owner(db):
    return PersonFactory(username="owner", roles=["SRE"])


@pytest.fixture
def action(owner):
    return ActionFactory(owner=owner, due_date=DUE, title="Rotate the backup keys")


def test_nothing_is_sent_before_the_due_soon_window(action):
    assert run(DUE - timedelta(days=4)) == 0
    assert keys() == []


def test_the_owner_is_reminded_once_when_the_action_is_due_soon(action, owner):
    assert run(DUE - timedelta(days=3)) == 1
    message = OutboxMessage.objects.get()
    assert message.dedup_key == f"action-due-soon:{action.pk}:{DUE}"
    assert message.to_user == owner
    assert "due in 3 days" in message.subject and "Rotate the backup keys" in message.subject
    assert message.url == action.get_absolute_url()
    assert run(DUE - timedelta(days=2)) == 0
    assert run(DUE) == 0
    assert OutboxMessage.objects.count() == 1


def test_a_rerun_in_the_same_hour_adds_nothing(action):
    assert run(DUE + timedelta(days=1), hour=10) == 1
    assert run(DUE + timedelta(days=1), hour=10) == 0
    assert OutboxMessage.objects.count() == 1


def test_the_owner_is_told_once_when_the_action_is_overdue(action, owner):
    run(DUE - timedelta(days=1))
    assert run(DUE + timedelta(days=1)) == 1
    overdue = OutboxMessage.objects.get(dedup_key=f"action-overdue:{action.pk}:{DUE}")
    assert overdue.to_user == owner and "overdue" in overdue.subject.lower()
    for late in range(2, 7):
        assert run(DUE + timedelta(days=late)) == 0


def test_the_sre_lead_is_told_once_from_seven_days_overdue(action):
    run(DUE + timedelta(days=1))
    assert run(DUE + timedelta(days=6)) == 0
    assert run(DUE + timedelta(days=7)) == 1
    escalation = OutboxMessage.objects.get(dedup_key=f"action-escalated:{action.pk}:{DUE}")
    assert escalation.to_role == Group.objects.get(name="SRE Lead")
    assert "owner" in escalation.body or "owned by" in escalation.body
    assert run(DUE + timedelta(days=8)) == 0
    assert run(DUE + timedelta(days=30)) == 0


def test_a_run_after_missed_days_sends_what_became_due_once(action):
    # The worker was down for the whole due-soon window and the first overdue week.
    assert run(DUE - timedelta(days=10)) == 0
    assert run(DUE + timedelta(days=9)) == 2
    assert keys() == [
        f"action-escalated:{action.pk}:{DUE}",
        f"action-overdue:{action.pk}:{DUE}",
    ]
    assert run(DUE + timedelta(days=9), hour=11) == 0


def test_a_changed_due_date_arms_the_reminders_again(action, owner):
    run(DUE - timedelta(days=1))
    run(DUE + timedelta(days=1))
    new_due = DUE + timedelta(days=14)
    with time_machine.travel(at(DUE + timedelta(days=1)), tick=False):
        services.action_update(actor=owner, action=action, due_date=new_due)
    assert run(DUE + timedelta(days=8)) == 0  # no longer overdue: no escalation
    assert run(new_due - timedelta(days=2)) == 1
    assert run(new_due + timedelta(days=1)) == 1
    assert f"action-due-soon:{action.pk}:{new_due}" in keys()
    assert f"action-overdue:{action.pk}:{new_due}" in keys()
    assert OutboxMessage.objects.count() == 4


@pytest.mark.parametrize("status", [Action.Status.DONE, Action.Status.CANCELLED])
def test_finished_actions_get_no_reminders(owner, status):
    ActionFactory(owner=owner, due_date=DUE, status=status)
    assert run(DUE - timedelta(days=1)) == 0
    assert run(DUE + timedelta(days=10)) == 0
    assert keys() == []


def test_an_action_in_progress_is_still_reminded(owner):
    ActionFactory(owner=owner, due_date=DUE, status=Action.Status.IN_PROGRESS)
    assert run(DUE + timedelta(days=1)) == 1


def test_an_action_without_a_due_date_gets_no_reminders(owner):
    ActionFactory(owner=owner, due_date=None)
    assert run(DUE) == 0


def test_an_action_without_an_owner_is_chased_through_the_sre_lead():
    action = ActionFactory(owner=None, due_date=DUE)
    assert run(DUE + timedelta(days=1)) == 1
    message = OutboxMessage.objects.get()
    assert message.to_role.name == "SRE Lead" and message.to_user is None
    assert "no owner" in message.body
    assert message.dedup_key == f"action-overdue:{action.pk}:{DUE}"


def test_the_task_runs_under_the_name_the_schedule_uses():
    from bcp_portal.schedule import BEAT_SCHEDULE

    assert action_reminders.name == BEAT_SCHEDULE["actions-reminders"]["task"]
