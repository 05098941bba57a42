"""Alert intake under load: few queries per request whatever the payload's size, and two
identical notifications at the same moment open one incident."""

from __future__ import annotations

import datetime as dt
import threading
from datetime import UTC

import pytest
from django.db import connection

from incidents.models import Incident, IntakeAlert, TimelineEntry
from tests.incidents.intake_factories import am_alert, am_payload, make_source, post

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def alerts(count: int) -> list[dict]:
    return [am_alert(fingerprint=f"{n:016x}", summary=f"Alert {n}") for n in range(count)]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 30])
def test_a_notification_sent_again_costs_the_same_few_queries_for_2_or_30_alerts(
    srelead, time_machine, django_assert_num_queries, count
):
    time_machine.move_to(NOW, tick=False)
    _, token = make_source(srelead)
    body = am_payload(*alerts(count))
    post(token, body)

    # Each fingerprint's last state on the group's open incident, found through the token's
    # source (one read, no lock, no transaction: nothing is written).
    with django_assert_num_queries(1):
        response = post(token, body)

    assert response.json()["unchanged"] == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 30])
def test_new_alerts_for_an_open_incident_cost_the_same_queries_for_2_or_30(
    srelead, time_machine, django_assert_num_queries, count
):
    time_machine.move_to(NOW, tick=False)
    _, token = make_source(srelead)
    post(token, am_payload(am_alert(fingerprint="f" * 16)))
    body = am_payload(*alerts(count))

    # The unlocked read that finds something new; the source with its mapping table;
    # savepoint (the test's transaction); the group, locked; the last states; the intake
    # account with its permissions; the entry and its history row; the alerts; release.
    with django_assert_num_queries(10):
        response = post(token, body)

    assert response.json()["recorded"]["firing"] == count
    assert TimelineEntry.objects.filter(kind=TimelineEntry.Kind.ALERT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_identical_notifications_at_the_same_moment_open_one_incident(srelead):
    _, token = make_source(srelead)
    body = am_payload(*alerts(3))
    start = threading.Barrier(2)
    answers = []

    def send():
        try:
            start.wait(timeout=10)
            answers.append(post(token, body))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(a.status_code for a in answers) == [200, 200]
    assert sorted(a.json()["opened"] for a in answers) == [False, True]
    incident = Incident.objects.get()
    assert IntakeAlert.objects.filter(incident=incident).count() == 3
    assert incident.timeline.count() == 1
