"""The seed's extended-outage rule on stored incidents: what counts as an outage (not a
partial degradation, at least one affected service), an outage still running judged on its
length so far, and the sweep that starts its clock once the threshold is crossed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from compliance import notifications, tasks
from compliance.models_notifications import Obligation
from compliance.notification_cases import case_for_incident
from tests.compliance.notifications.helpers import DETECTED, incident
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

OUTAGE = "seed_service_outage_extended"


def at(minutes: int):
    return time_machine.travel(DETECTED + dt.timedelta(minutes=minutes), tick=False)


def outage_clock(inc) -> Obligation | None:
    return Obligation.objects.filter(incident=inc, regime_key=OUTAGE).first()


def test_an_unrestored_outage_gets_its_clock_from_the_sweep_once_it_passes_four_hours():
    with at(0):
        inc = incident(started_at=DETECTED, affected_users=5000, services=[ServiceFactory()])
    with at(30):
        notifications.obligations_evaluate(incident=inc)
        assert outage_clock(inc) is None  # 30 minutes so far: not more than 240
    with at(4 * 60 + 1):
        assert tasks.obligations_sweep() >= 1  # unchanged for hours, still swept: it runs on
    clock = outage_clock(inc)
    assert clock is not None and clock.status == Obligation.Status.OPEN
    assert clock.anchor_at == DETECTED + dt.timedelta(hours=4)
    assert clock.due_at == DETECTED + dt.timedelta(hours=4 + 24)
    assert not clock.provisional
    assert "still running, more than 240 minutes" in clock.reason


def test_a_security_incident_with_no_affected_service_gets_no_outage_clock():
    with at(0):
        inc = incident(type_key="security-incident", affected_users=5000)
    with at(3 * 24 * 60):
        notifications.obligations_evaluate(incident=inc)
        tasks.obligations_sweep()
        assert case_for_incident(inc).outage_started_at is None
    assert outage_clock(inc) is None


def test_re_evaluating_an_ongoing_outage_twice_writes_no_history_row():
    with at(0):
        inc = incident(started_at=DETECTED, affected_users=5000, services=[ServiceFactory()])
    with at(5 * 60):
        notifications.obligations_evaluate(incident=inc)
    assert outage_clock(inc) is not None
    history = Obligation.history.count()
    with at(7 * 60):  # two hours later, still running
        counts = notifications.obligations_evaluate(incident=inc)
    assert counts["created"] == counts["updated"] == counts["not_applicable"] == 0
    assert Obligation.history.count() == history


def test_an_ongoing_outage_is_read_with_its_length_so_far():
    with at(0):
        inc = incident(started_at=DETECTED, services=[ServiceFactory()])
    with at(90):
        case = case_for_incident(inc)
    assert case.outage_started_at == DETECTED
    assert (case.outage_minutes, case.outage_ongoing) == (90, True)


def test_a_partial_degradation_is_not_an_outage_even_with_services():
    with at(0):
        inc = incident(type_key="partial-degradation", services=[ServiceFactory()])
    with at(600):
        case = case_for_incident(inc)
    assert (case.outage_started_at, case.outage_minutes) == (None, None)
