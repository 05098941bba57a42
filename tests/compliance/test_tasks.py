"""Approval and review reminders: once per interval, idempotent, through the outbox."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bcp_portal.core.models import OutboxMessage
from bcp_portal.schedule import BEAT_SCHEDULE
from compliance import services, tasks
from compliance.models import RunbookDocument
from tests.compliance.factories import approve, document_with_draft, signer, submitted
from tests.factories import UserFactory
from tests.twofactor import give_two_factor

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday


def reminders(prefix: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(dedup_key__contains=prefix).order_by("dedup_key"))


@pytest.fixture
def author():
    user = UserFactory(username="author", roles=["SRE Lead"])
    give_two_factor(user)
    return user


@pytest.fixture
def in_review(author):
    with time_machine.travel(START, tick=False):
        return submitted(author, document_with_draft(author))


def test_a_role_still_waiting_after_the_interval_is_reminded_once_per_interval(in_review, settings):
    settings.APPROVAL_REMIND_AFTER_HOURS = 48
    with time_machine.travel(START + dt.timedelta(hours=47), tick=False):
        assert tasks.approval_reminders() == 0
    with time_machine.travel(START + dt.timedelta(hours=49), tick=False):
        assert tasks.approval_reminders() == 2  # Engineering Manager and DPO
        assert tasks.approval_reminders() == 0  # run twice: nothing new
    with time_machine.travel(START + dt.timedelta(hours=95), tick=False):
        assert tasks.approval_reminders() == 0
    with time_machine.travel(START + dt.timedelta(hours=97), tick=False):
        assert tasks.approval_reminders() == 2
    sent = reminders(":remind:")
    assert sorted(m.to_role.name for m in sent) == [
        "DPO",
        "DPO",
        "Engineering Manager",
        "Engineering Manager",
    ]
    assert all("Still waiting for your approval" in m.subject for m in sent)


def test_an_approval_reminder_names_the_author_by_their_full_name(in_review, author, settings):
    author.first_name, author.last_name = "Ann", "Author"
    author.save()
    settings.APPROVAL_REMIND_AFTER_HOURS = 48
    with time_machine.travel(START + dt.timedelta(hours=49), tick=False):
        tasks.approval_reminders()
    assert all("procedure update by Ann Author, has" in m.body for m in reminders(":remind:"))


def test_a_role_that_approved_is_not_reminded(in_review, settings):
    settings.APPROVAL_REMIND_AFTER_HOURS = 48
    manager = signer("Engineering Manager", codes=("22222222",))
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        approve(in_review, manager, "Engineering Manager", "22222222")
    with time_machine.travel(START + dt.timedelta(hours=49), tick=False):
        assert tasks.approval_reminders() == 1
    [message] = reminders(":remind:")
    assert message.to_role.name == "DPO"


def test_an_edit_that_voids_the_signatures_restarts_the_clock(in_review, author, settings):
    settings.APPROVAL_REMIND_AFTER_HOURS = 48
    manager = signer("Engineering Manager", codes=("22222222",))
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        approve(in_review, manager, "Engineering Manager", "22222222")
    with time_machine.travel(START + dt.timedelta(hours=40), tick=False):
        services.change_update(actor=author, change=in_review.change, reason="Clearer reason")
    # 49 h after the submission but 9 h after the voiding edit: not yet.
    with time_machine.travel(START + dt.timedelta(hours=49), tick=False):
        assert tasks.approval_reminders() == 0
    with time_machine.travel(START + dt.timedelta(hours=89), tick=False):
        assert tasks.approval_reminders() == 2


def test_a_draft_is_never_reminded(author, settings):
    settings.APPROVAL_REMIND_AFTER_HOURS = 1
    with time_machine.travel(START, tick=False):
        document_with_draft(author)
    with time_machine.travel(START + dt.timedelta(days=10), tick=False):
        assert tasks.approval_reminders() == 0


@pytest.fixture
def published(author):
    manager = signer("Engineering Manager", codes=("22222222",))
    dpo = signer("DPO", codes=("33333333",))
    with time_machine.travel(START, tick=False):
        version = submitted(author, document_with_draft(author))
        approve(version, manager, "Engineering Manager", "22222222")
        approve(version, dpo, "DPO", "33333333")
        services.version_publish(actor=UserFactory(roles=["SRE Lead"]), version=version)
    document = RunbookDocument.objects.get(pk=version.document_id)
    services.document_update(actor=author, document=document, next_review=dt.date(2026, 3, 10))
    return document


def test_an_overdue_review_goes_to_the_sre_lead_role_weekly_while_overdue(published):
    with time_machine.travel(START, tick=False):  # due on the 10th: not yet
        assert tasks.review_reminders() == 0
    with time_machine.travel(dt.datetime(2026, 3, 10, 8, tzinfo=dt.UTC), tick=False):
        assert tasks.review_reminders() == 1
        assert tasks.review_reminders() == 0
    with time_machine.travel(dt.datetime(2026, 3, 13, 8, tzinfo=dt.UTC), tick=False):
        assert tasks.review_reminders() == 0  # the same ISO week
    with time_machine.travel(dt.datetime(2026, 3, 16, 8, tzinfo=dt.UTC), tick=False):
        assert tasks.review_reminders() == 1  # the next week, still overdue
    sent = reminders("runbook-review:")
    assert [m.to_role.name for m in sent] == ["SRE Lead", "SRE Lead"]
    assert "overdue" in sent[-1].subject and "due" in sent[0].subject


def test_a_review_reminder_goes_to_the_documents_owner_when_it_has_one(published, author):
    owner = UserFactory(username="owner", roles=["Engineering Manager"])
    services.document_update(actor=author, document=published, owner_user=owner)
    with time_machine.travel(dt.datetime(2026, 3, 11, 8, tzinfo=dt.UTC), tick=False):
        assert tasks.review_reminders() == 1
    [message] = reminders("runbook-review:")
    assert message.to_user == owner and message.to_role is None


def test_the_reminders_and_the_break_glass_sweep_are_scheduled():
    scheduled = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {
        "compliance.approval_reminders",
        "compliance.review_reminders",
        "compliance.break_glass_sweep",
    } <= scheduled


def test_the_sweep_task_runs_with_nothing_to_do():
    assert tasks.break_glass_sweep() == 0
