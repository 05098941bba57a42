"""Offboarding a leaver in one step (issue #8, item 15): deactivate, revoke, end sessions,
hand over actions and drill work to a named person, recorded as a checklist."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken

from bcp_portal.actions.models import Action
from bcp_portal.core import offboarding, roles
from bcp_portal.core.api.services import api_token_create
from bcp_portal.core.models import AccountEvent
from bcp_portal.core.offboarding import offboarding_checklist, user_offboard
from drills.models import Drill, DrillReport
from tests.actions.factories import ActionFactory, DrillReportFactory
from tests.bcp_portal.test_outbox import lock_waiters, run_in_threads
from tests.drills.factories import CalendarFeedTokenFactory, DrillFactory
from tests.factories import UserFactory
from tests.fixtures.worker import wait_until

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def leaver():
    return UserFactory(username="lena", first_name="Lena", last_name="Leaves", roles=[roles.SRE])


@pytest.fixture
def successor():
    return UserFactory(username="sam", first_name="Sam", last_name="Stays", roles=[roles.SRE])


@pytest.fixture
def holdings(leaver):
    """What Lena holds, and rows alike that offboarding must leave alone."""
    other = UserFactory(roles=[roles.SRE])
    held = {
        "open": ActionFactory(owner=leaver, status=Action.Status.OPEN),
        "in_progress": ActionFactory(owner=leaver, status=Action.Status.IN_PROGRESS),
        "proposed": ActionFactory(owner=leaver, status=Action.Status.PROPOSED),
        "done": ActionFactory(owner=leaver, status=Action.Status.DONE),
        "planned": DrillFactory(participants=[leaver, other]),
        "past": DrillFactory(participants=[leaver], status=Drill.Status.DONE),
        "draft": DrillReportFactory(created_by=leaver),
        "submitted": DrillReportFactory(
            created_by=leaver, status=DrillReport.Status.SUBMITTED, revision=1
        ),
        "token": api_token_create(actor=leaver, lifetime=timedelta(days=30))[0],
        "feed": CalendarFeedTokenFactory(user=leaver),
        "other": other,
    }
    held["session"] = Client()
    held["session"].force_login(leaver)
    return held


def counts(items) -> dict[str, tuple[str, int]]:
    return {item.key: (item.step, item.count) for item in items}


EXPECTED = {
    "api_token": ("revoke", 1),
    "calendar_feed": ("revoke", 1),
    "sessions": ("end", 1),
    "actions": ("hand over", 3),
    "planned_drills": ("hand over", 1),
    "draft_reports": ("hand over", 1),
    # Incidents (issue #10): on-call places (tests/incidents/test_oncall_offboarding.py).
    "oncall": ("hand over", 0),
}


def test_the_checklist_counts_what_each_registry_entry_will_move(leaver, holdings):
    assert counts(offboarding_checklist(leaver)) == EXPECTED


def test_offboarding_moves_everything_in_one_step_and_records_what_moved(
    root, leaver, successor, holdings
):
    event = user_offboard(actor=root, leaver=leaver, successor=successor)

    leaver.refresh_from_db()
    assert not leaver.is_active
    for name in ("open", "in_progress", "proposed"):
        action = holdings[name]
        action.refresh_from_db()
        assert action.owner == successor
        latest = action.history.latest()
        assert latest.history_user == root
        assert latest.history_change_reason == "Lena Leaves left: handed over to Sam Stays."
        assert latest.prev_record.owner == leaver  # the history keeps who had it before
    holdings["done"].refresh_from_db()
    assert holdings["done"].owner == leaver
    assert set(holdings["planned"].participants.all()) == {holdings["other"], successor}
    assert holdings["planned"].history.latest().history_user == root
    assert list(holdings["past"].participants.all()) == [leaver]
    holdings["draft"].refresh_from_db()
    holdings["submitted"].refresh_from_db()
    assert holdings["draft"].created_by == successor
    assert holdings["submitted"].created_by == leaver
    assert not AuthToken.objects.filter(user=leaver).exists()
    holdings["feed"].refresh_from_db()
    assert holdings["feed"].revoked_at is not None
    assert not Session.objects.exists()
    assert holdings["session"].get(reverse("account-settings")).status_code == 302
    assert (event.kind, event.actor, event.user) == (AccountEvent.Kind.OFFBOARDED, root, leaver)
    assert event.detail["successor"] == {"id": successor.pk, "name": "Sam Stays"}
    assert {i["key"]: (i["step"], i["count"]) for i in event.detail["checklist"]} == EXPECTED


def test_nothing_moves_when_a_later_step_fails(root, leaver, successor, holdings, monkeypatch):
    # Actions are handed over first; then the drafts' step breaks.
    def broken(**kwargs):
        raise RuntimeError("the drafts step failed")

    failing = replace(offboarding._HANDOVERS["draft_reports"], hand_over=broken)
    monkeypatch.setitem(offboarding._HANDOVERS, "draft_reports", failing)

    with pytest.raises(RuntimeError):
        user_offboard(actor=root, leaver=leaver, successor=successor)

    assert_nothing_moved(leaver, holdings)
    holdings["feed"].refresh_from_db()
    assert holdings["feed"].revoked_at is None
    assert Session.objects.count() == 1


# --- refusals -----------------------------------------------------------------------------


def refusal(**kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        user_offboard(**kwargs)
    return caught.value


def assert_nothing_moved(leaver, holdings):
    leaver.refresh_from_db()
    holdings["open"].refresh_from_db()
    assert leaver.is_active
    assert holdings["open"].owner == leaver
    assert AuthToken.objects.filter(user=leaver).exists()
    assert not AccountEvent.objects.filter(kind=AccountEvent.Kind.OFFBOARDED).exists()


def test_an_inactive_successor_is_refused(root, leaver, holdings):
    gone = UserFactory(first_name="Gus", last_name="Gone", roles=[roles.SRE], is_active=False)

    error = refusal(actor=root, leaver=leaver, successor=gone)

    assert "Gus Gone is deactivated" in error.message_dict["successor"][0]
    assert_nothing_moved(leaver, holdings)


def test_a_successor_without_a_role_is_refused(root, leaver, holdings):
    nobody = UserFactory(first_name="Nia", last_name="Norole")

    error = refusal(actor=root, leaver=leaver, successor=nobody)

    assert "Nia Norole holds no role" in error.message_dict["successor"][0]
    assert_nothing_moved(leaver, holdings)


def test_the_leaver_cannot_receive_their_own_work(root, leaver, holdings):
    error = refusal(actor=root, leaver=leaver, successor=leaver)

    assert "someone other than the leaver" in error.message_dict["successor"][0]
    assert_nothing_moved(leaver, holdings)


def test_no_one_offboards_themself(leaver, successor, holdings):
    leaver.is_superuser = True
    leaver.save()

    error = refusal(actor=leaver, leaver=leaver, successor=successor)

    assert error.messages == ["You cannot offboard yourself."]


def test_a_second_submit_is_refused_and_changes_nothing(root, leaver, successor, holdings):
    late = ActionFactory(owner=UserFactory(roles=[roles.SRE]))
    user_offboard(actor=root, leaver=leaver, successor=successor)
    late.owner = leaver  # a row that would move if offboarding ran again
    late.save()

    error = refusal(actor=root, leaver=leaver, successor=successor)

    assert error.messages == ["Lena Leaves is offboarded already."]
    late.refresh_from_db()
    assert late.owner == leaver
    assert AccountEvent.objects.filter(kind=AccountEvent.Kind.OFFBOARDED).count() == 1


@pytest.mark.parametrize("who", ["sre lead", "staff without the permission"])
def test_only_superusers_and_holders_of_the_permission_may_offboard(who, leaver, successor):
    actor = UserFactory(is_staff=True, roles=[roles.SRE_LEAD] if who == "sre lead" else [])

    with pytest.raises(PermissionDenied):
        user_offboard(actor=actor, leaver=leaver, successor=successor)


def test_a_holder_of_the_offboard_permission_may_offboard(leaver, successor):
    hr = UserFactory(is_staff=True)
    hr.user_permissions.add(Permission.objects.get(codename="offboard_user"))

    event = user_offboard(actor=hr, leaver=leaver, successor=successor)

    assert event.actor == hr


def test_the_handover_services_refuse_a_caller_without_the_permission(leaver, successor):
    from bcp_portal.actions.services import actions_hand_over
    from drills.services.offboarding import draft_reports_hand_over, planned_drills_hand_over

    lead = UserFactory(roles=[roles.SRE_LEAD])
    for service in (actions_hand_over, planned_drills_hand_over, draft_reports_hand_over):
        with pytest.raises(PermissionDenied):
            service(actor=lead, leaver=leaver, successor=successor)


@pytest.mark.postgres
def test_two_concurrent_submits_offboard_once(transactional_db, leaver, successor):
    root = UserFactory(username="root2", is_superuser=True, is_staff=True)
    ActionFactory(owner=leaver)
    first_done = threading.Event()
    second_blocked = threading.Event()

    def first() -> str:
        with transaction.atomic():
            user_offboard(actor=root, leaver=leaver, successor=successor)
            first_done.set()
            # Commit only once the second submit waits on the leaver's row.
            assert second_blocked.wait(timeout=10)
        return "offboarded"

    def second() -> str:
        assert first_done.wait(timeout=10)
        try:
            user_offboard(actor=root, leaver=leaver, successor=successor)
        except ValidationError as exc:
            return exc.messages[0]
        return "offboarded twice"

    def watch() -> None:
        wait_until(lambda: lock_waiters() >= 1, timeout=10, what="the second submit to wait")
        second_blocked.set()

    results = run_in_threads(first, second, watch)

    assert results[:2] == ["offboarded", "Lena Leaves is offboarded already."]
    assert AccountEvent.objects.filter(kind=AccountEvent.Kind.OFFBOARDED).count() == 1


# --- the admin page -----------------------------------------------------------------------


def offboard_url(user) -> str:
    return reverse("admin:auth_user_offboard", args=[user.pk])


def test_the_user_change_page_links_to_offboarding_for_those_who_may(client_for, root, leaver):
    lead = UserFactory(is_staff=True, roles=[roles.SRE_LEAD])
    lead.user_permissions.add(Permission.objects.get(codename="change_user"))
    change = reverse("admin:auth_user_change", args=[leaver.pk])

    assert offboard_url(leaver) in client_for(root).get(change).content.decode()
    assert offboard_url(leaver) not in client_for(lead).get(change).content.decode()
    assert client_for(lead).get(offboard_url(leaver)).status_code == 403


def test_the_page_shows_the_checklist_then_what_moved_and_a_double_submit_changes_nothing(
    client_for, root, leaver, successor, holdings
):
    client = client_for(root)

    before = client.get(offboard_url(leaver))
    done = client.post(offboard_url(leaver), {"successor": successor.pk})
    after = client.get(offboard_url(leaver))
    again = client.post(offboard_url(leaver), {"successor": successor.pk})

    assert before.status_code == 200
    assert counts(before.context["checklist"]) == EXPECTED
    assert done.status_code == 302
    assert counts(after.context["moved"]) == EXPECTED
    assert "What moved" in after.content.decode()
    assert again.status_code == 200
    assert "offboarded already" in again.content.decode()
    assert AccountEvent.objects.filter(kind=AccountEvent.Kind.OFFBOARDED).count() == 1


def test_the_page_offers_only_active_people_with_a_role(client_for, root, leaver, successor):
    UserFactory(username="norole")
    UserFactory(username="gone", roles=[roles.SRE], is_active=False)

    page = client_for(root).get(offboard_url(leaver))

    offered = set(page.context["form"].fields["successor"].queryset)
    assert successor in offered
    assert leaver not in offered
    assert {u.username for u in offered} & {"norole", "gone", "root"} == set()
