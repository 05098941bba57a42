"""Reminders of the clocks: each point once, overdue, a moved due time, provisional alerts,
the sweep, and the incident's own changes moving its clocks."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bcp_portal.core.models import OutboxMessage
from bcp_portal.schedule import BEAT_SCHEDULE
from compliance import notifications, tasks
from compliance.models_notifications import Obligation
from incidents.services.lifecycle import incident_update
from tests.compliance.notifications.helpers import DETECTED, incident, person, result

pytestmark = pytest.mark.django_db

DUE = DETECTED + dt.timedelta(hours=100)  # a 100-hour window: each percent is an hour


def keys(prefix: str = "deadline:") -> list[str]:
    return sorted(
        OutboxMessage.objects.filter(dedup_key__startswith=prefix).values_list(
            "dedup_key", flat=True
        )
    )


def at(hours: float):
    return time_machine.travel(DETECTED + dt.timedelta(hours=hours), tick=False)


@pytest.fixture
def clock(engine):
    with at(0):
        inc = incident()
        engine.set(result(due_at=DUE))
        notifications.obligations_evaluate(incident=inc)
    return Obligation.objects.get()


def test_reminders_go_to_dpo_and_legal_at_each_point_once(clock):
    with at(49):
        assert tasks.deadline_reminders() == 0
    with at(50):
        assert tasks.deadline_reminders() == 2
        assert tasks.deadline_reminders() == 0  # run twice: nothing new
    with at(76):
        assert tasks.deadline_reminders() == 2
    with at(95):
        assert tasks.deadline_reminders() == 2
    due = DUE.isoformat()
    assert keys() == sorted(
        f"deadline:{clock.pk}:{point}:{due}:{role}"
        for point in (50, 75, 90)
        for role in ("dpo", "legal")
    )
    roles = set(
        OutboxMessage.objects.filter(dedup_key__startswith="deadline:").values_list(
            "to_role__name", flat=True
        )
    )
    assert roles == {"DPO", "Legal Counsel"}


def test_a_late_run_sends_only_the_latest_point_it_reached(clock):
    with at(91):
        assert tasks.deadline_reminders() == 2
    assert all(":90:" in key for key in keys())


def test_an_overdue_clock_is_reminded_once(clock):
    with at(101):
        assert tasks.deadline_reminders() == 2
        assert tasks.deadline_reminders() == 0
    message = OutboxMessage.objects.filter(dedup_key__contains=":overdue:").first()
    assert message is not None and "OVERDUE" in message.subject


def test_a_moved_due_time_reminds_again(clock, engine):
    with at(60):
        tasks.deadline_reminders()
        later = DUE + dt.timedelta(hours=10)
        engine.set(result(due_at=later))
        notifications.obligations_evaluate(incident=clock.incident)
        assert tasks.deadline_reminders() == 2
    assert len([k for k in keys() if later.isoformat() in k]) == 2


@pytest.mark.parametrize("status", ["waive", "submit"])
def test_a_clock_no_longer_open_is_not_reminded(clock, status):
    dpo = person("DPO")
    with at(10):
        if status == "waive":
            notifications.obligation_waive(actor=dpo, obligation=clock, reason="Not owed.")
        else:
            notifications.submission_record(
                actor=dpo, obligation=clock, submitted_at=DETECTED, recipient="CNIL"
            )
    with at(200):
        assert tasks.deadline_reminders() == 0


def test_the_reminder_points_are_a_setting(clock, settings):
    settings.DEADLINE_REMINDER_PERCENTS = [25]
    with at(26):
        assert tasks.deadline_reminders() == 2
    assert all(":25:" in key for key in keys())


def test_a_provisional_clock_alerts_the_dpo_daily_until_the_fact_is_recorded(engine):
    with at(0):
        inc = incident()
        engine.set(result(due_at=DUE, provisional=True))
        notifications.obligations_evaluate(incident=inc)
    with at(1):
        tasks.deadline_reminders()
        tasks.deadline_reminders()
    with at(2):
        tasks.deadline_reminders()
    assert len(keys("provisional:")) == 1
    with at(25):
        tasks.deadline_reminders()
    assert len(keys("provisional:")) == 2
    message = OutboxMessage.objects.filter(dedup_key__startswith="provisional:").first()
    assert message.to_role.name == "DPO" and "runs from detection" in message.body
    with at(26):
        engine.set(result(due_at=DUE, provisional=False))
        notifications.obligations_evaluate(incident=inc)
    with at(49):
        tasks.deadline_reminders()
    assert len(keys("provisional:")) == 2


def test_a_provisional_clock_without_a_due_time_still_alerts_the_dpo(engine):
    with at(0):
        inc = incident()
        engine.set(result(due_at=None, provisional=True))
        notifications.obligations_evaluate(incident=inc)
    with at(1):
        assert tasks.deadline_reminders() == 1


def test_the_reminder_jobs_are_scheduled():
    scheduled = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {"compliance.deadline_reminders", "compliance.obligations_sweep"} <= scheduled


def test_a_change_of_the_incident_evaluates_it_again_after_commit(
    engine, django_capture_on_commit_callbacks
):
    with at(0):
        inc = incident()
        engine.set(result())
        with django_capture_on_commit_callbacks(execute=True):
            incident_update(actor=person("SRE Lead", "n-lead"), incident=inc, affected_users=5000)
    assert engine.cases[-1].affected_users == 5000
    assert Obligation.objects.filter(incident=inc).count() == 1


def test_the_sweep_evaluates_incidents_changed_within_the_hour(engine):
    with at(0):
        inc = incident()
    engine.set(result())
    with at(0.5):
        assert tasks.obligations_sweep() == 1
    assert Obligation.objects.filter(incident=inc).exists()
    with at(3):
        assert tasks.obligations_sweep() == 0


def test_evaluating_a_deleted_incident_does_nothing(engine):
    assert tasks.obligations_evaluate(incident_id=2**31 - 1) == {}


def test_switching_a_regime_off_evaluates_the_open_incidents_again(
    engine, django_capture_on_commit_callbacks
):
    from compliance.models_notifications import NotificationRegime
    from compliance.regime_loader import regimes_load
    from compliance.regime_services import regime_update

    regimes_load()
    with at(0):
        inc = incident()
        engine.set(result())
        notifications.obligations_evaluate(incident=inc)
    engine.set()
    admin = person(None, "n-admin")
    admin.is_superuser = True
    admin.save()
    with at(1), django_capture_on_commit_callbacks(execute=True):
        regime_update(
            actor=admin,
            regime=NotificationRegime.objects.get(key="eu_gdpr_art33_art34"),
            enabled=False,
        )
    assert Obligation.objects.get().status == Obligation.Status.NOT_APPLICABLE
