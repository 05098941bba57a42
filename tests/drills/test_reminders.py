"""Reminders 7 days and 1 day before a drill, and the overdue flag to the SRE Lead.

Time is frozen and moved, never slept; the outbox key is the "done" marker, so every test
counts OutboxMessage rows by key.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from bcp_portal.core import roles
from bcp_portal.core.models import OutboxMessage
from drills import tasks
from drills.models import Drill, DrillReport
from drills.services import planning
from drills.services import reminders as services
from tests.drills.factories import DrillFactory

UTC = dt.UTC
T0 = dt.datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(db, time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def keys(prefix: str = "drill-") -> list[str]:
    return sorted(
        OutboxMessage.objects.filter(dedup_key__startswith=prefix).values_list(
            "dedup_key", flat=True
        )
    )


def send() -> int:
    return services.drill_reminders_send()


def test_each_participant_gets_the_7_day_reminder_once(clock, sre, srelead):
    drill = DrillFactory(starts_at=T0 + dt.timedelta(days=5), participants=[sre, srelead])
    assert send() == 2
    assert send() == 0
    messages = OutboxMessage.objects.filter(dedup_key__startswith=f"drill-reminder:{drill.pk}:7d")
    assert {m.to_user for m in messages} == {sre, srelead}
    assert all(m.url == drill.get_absolute_url() for m in messages)


def test_the_1_day_reminder_follows_once_the_day_comes(clock, sre):
    drill = DrillFactory(starts_at=T0 + dt.timedelta(days=5), participants=[sre])
    send()
    clock.shift(dt.timedelta(days=4, hours=1))  # 23 hours before the drill
    assert send() == 1
    assert send() == 0
    assert [k.split(":")[2] for k in keys(f"drill-reminder:{drill.pk}:")] == ["1d", "7d"]


def test_a_run_repeated_within_the_hour_adds_nothing(clock, sre):
    DrillFactory(starts_at=T0 + dt.timedelta(days=3), participants=[sre])
    DrillFactory(starts_at=T0 + dt.timedelta(hours=5), participants=[sre])
    DrillFactory(starts_at=T0 - dt.timedelta(days=3))
    first = send()
    clock.shift(dt.timedelta(minutes=40))
    assert first == 3 and send() == 0
    assert OutboxMessage.objects.count() == 3


def test_a_worker_down_for_a_day_catches_up_once(clock, sre):
    week_away = DrillFactory(starts_at=T0 + dt.timedelta(days=7, hours=10), participants=[sre])
    days_away = DrillFactory(starts_at=T0 + dt.timedelta(days=1, hours=10), participants=[sre])
    just_held = DrillFactory(starts_at=T0 - dt.timedelta(days=2) + dt.timedelta(hours=10))
    assert send() == 1
    assert keys() == [f"drill-reminder:{days_away.pk}:7d:{sre.pk}:20270111T2200Z"]

    clock.shift(dt.timedelta(hours=30))  # the worker was down: no run for 30 hours
    assert send() == 3
    assert keys() == sorted(
        [
            f"drill-overdue:{just_held.pk}:20270108T2200Z",
            f"drill-reminder:{days_away.pk}:1d:{sre.pk}:20270111T2200Z",
            f"drill-reminder:{days_away.pk}:7d:{sre.pk}:20270111T2200Z",
            f"drill-reminder:{week_away.pk}:7d:{sre.pk}:20270117T2200Z",
        ]
    )
    overdue = OutboxMessage.objects.get(dedup_key__startswith="drill-overdue:")
    assert overdue.to_role == Group.objects.get(name=roles.SRE_LEAD)
    assert send() == 0


def test_a_drill_with_a_submitted_report_is_not_flagged_overdue(clock, sre):
    reported = DrillFactory(starts_at=T0 - dt.timedelta(days=3), participants=[sre])
    DrillReport.objects.create(
        drill=reported, created_by=sre, status=DrillReport.Status.SUBMITTED, overall_result="pass"
    )
    draft_only = DrillFactory(starts_at=T0 - dt.timedelta(days=3), participants=[sre])
    DrillReport.objects.create(drill=draft_only, created_by=sre)
    send()
    assert keys("drill-overdue:") == [f"drill-overdue:{draft_only.pk}:20270107T1200Z"]


def test_done_and_cancelled_drills_get_no_reminder_or_flag(clock, sre):
    DrillFactory(starts_at=T0 + dt.timedelta(days=2), status=Drill.Status.CANCELLED)
    DrillFactory(starts_at=T0 - dt.timedelta(days=4), status=Drill.Status.DONE)
    DrillFactory(starts_at=T0 - dt.timedelta(days=4), status=Drill.Status.CANCELLED)
    assert send() == 0


def test_a_drill_not_yet_two_days_past_is_not_overdue(clock):
    DrillFactory(starts_at=T0 - dt.timedelta(days=1, hours=23))
    assert send() == 0


def test_a_drill_first_seen_within_a_day_gets_only_the_1_day_reminder(clock, sre):
    drill = DrillFactory(starts_at=T0 + dt.timedelta(hours=20), participants=[sre])
    send()
    assert keys() == [f"drill-reminder:{drill.pk}:1d:{sre.pk}:20270111T0800Z"]


def test_a_drill_that_already_started_gets_no_reminder(clock, sre):
    DrillFactory(starts_at=T0 - dt.timedelta(minutes=5), participants=[sre])
    assert send() == 0


def test_a_drill_with_nobody_assigned_reminds_the_sre_role(clock):
    drill = DrillFactory(starts_at=T0 + dt.timedelta(days=6))
    send()
    message = OutboxMessage.objects.get()
    assert message.dedup_key == f"drill-reminder:{drill.pk}:7d:role-sre:20270116T1200Z"
    assert message.to_role == Group.objects.get(name=roles.SRE)


def test_a_drill_moved_by_a_person_is_reminded_of_again_for_its_new_date(clock, sre, srelead):
    drill = DrillFactory(starts_at=T0 + dt.timedelta(days=5), participants=[sre])
    send()
    planning.drill_update(actor=srelead, drill=drill, starts_at=T0 + dt.timedelta(days=6))
    assert send() == 1
    assert keys() == [
        f"drill-reminder:{drill.pk}:7d:{sre.pk}:20270115T1200Z",
        f"drill-reminder:{drill.pk}:7d:{sre.pk}:20270116T1200Z",
    ]


def test_the_reminder_shows_the_time_in_the_participants_zone(clock, sre):
    sre.profile.time_zone = "Europe/Paris"
    sre.profile.save()
    DrillFactory(
        title="Failover", starts_at=dt.datetime(2027, 1, 14, 9, 0, tzinfo=UTC), participants=[sre]
    )
    send()
    message = OutboxMessage.objects.get()
    assert "Thu 14 Jan 2027 10:00 (Europe/Paris)" in message.subject
    assert message.subject.startswith("Drill within a week: Failover")


def test_the_hourly_task_queues_and_delivers_reminders(
    clock, sre, mailoutbox, django_capture_on_commit_callbacks
):
    DrillFactory(title="Storage restore", starts_at=T0 + dt.timedelta(days=2), participants=[sre])
    assert tasks.send_reminders.name == "drills.send_reminders"
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_reminders.delay().get() == 1
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
    assert [m.to for m in mailoutbox] == [[sre.email]]
    assert "Storage restore" in mailoutbox[0].subject
