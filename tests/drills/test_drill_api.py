"""Drills over the API: filters, writes through the services, cursor pages, query counts.

Who may call which endpoint is in tests/permission_matrix.py.
"""

import datetime as dt

import pytest
from django.urls import reverse

from drills.models import Drill, DrillReport, DrillType
from tests.drills.factories import DrillFactory

UTC = dt.UTC
LIST_URL = reverse("api:drill-list")


@pytest.fixture
def frozen(db, time_machine):
    time_machine.move_to(dt.datetime(2027, 1, 10, 12, 0, tzinfo=UTC), tick=False)
    return time_machine


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_the_list_carries_type_status_overdue_and_result(frozen, client_for, sre, srelead):
    restore = DrillType.objects.get(key="database_recovery")
    drill = DrillFactory(drill_type=restore, starts_at=at(2027, 1, 5, 10), participants=[sre])
    done = DrillFactory(drill_type=restore, starts_at=at(2026, 12, 1, 10), status="done")
    DrillReport.objects.create(
        drill=done, created_by=srelead, status=DrillReport.Status.SUBMITTED, overall_result="fail"
    )
    rows = {row["id"]: row for row in client_for(sre).get(LIST_URL).json()["results"]}
    assert rows[drill.pk]["drill_type"] == "database_recovery"
    assert rows[drill.pk]["drill_type_name"] == "Database recovery"
    assert rows[drill.pk]["participants"] == [sre.pk]
    assert rows[drill.pk]["is_overdue"] is True and rows[drill.pk]["result"] == ""
    assert rows[drill.pk]["ends_at"] == "2027-01-05T11:00:00Z"
    assert rows[done.pk]["status"] == "done" and rows[done.pk]["result"] == "fail"


def test_the_list_filters_by_query_parameters(frozen, client_for, sre):
    failover = DrillType.objects.get(key="application_failover")
    mine = DrillFactory(participants=[sre], title="Mine")
    other = DrillFactory(drill_type=failover, starts_at=at(2027, 5, 11, 10), title="Failover")
    client = client_for(sre)

    def ids(**params) -> list[int]:
        return [row["id"] for row in client.get(LIST_URL, params).json()["results"]]

    assert ids(participant="me") == [mine.pk]
    assert ids(type="application_failover") == [other.pk]
    assert ids(quarter="2027-Q2") == [other.pk]
    assert ids(status="cancelled") == []
    assert ids(search="failover") == [other.pk]


def test_the_list_pages_with_a_cursor_in_id_order(frozen, client_for, sre):
    drills = DrillFactory.create_batch(3)
    client = client_for(sre)
    first = client.get(LIST_URL, {"page_size": 2}).json()
    assert [row["id"] for row in first["results"]] == [d.pk for d in drills[:2]]
    second = client.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [drills[2].pk]


@pytest.mark.parametrize("rows", [2, 30])
def test_the_list_query_count_does_not_grow_with_rows(
    frozen, client_for, sre, srelead, rows, django_assert_num_queries
):
    for n in range(rows):
        drill = DrillFactory(starts_at=at(2026, 12, 1) + dt.timedelta(days=n), participants=[sre])
        if n % 2:
            DrillReport.objects.create(
                drill=drill, created_by=srelead, status="submitted", overall_result="pass"
            )
    client = client_for(sre)
    # session, user, 2FA device, profile (time zone), permissions (one query), the page,
    # participants
    with django_assert_num_queries(7):
        response = client.get(LIST_URL)
    assert len(response.json()["results"]) == rows


def test_the_sre_lead_plans_a_drill_through_the_api(frozen, client_for, srelead, sre):
    response = client_for(srelead).post(
        LIST_URL,
        {
            "drill_type": "tabletop_exercise",
            "starts_at": "2027-02-18T14:00:00Z",
            "participants": [sre.pk, srelead.pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    drill = Drill.objects.get(pk=response.json()["id"])
    assert (drill.title, drill.planned_duration_minutes) == ("Tabletop exercise", 180)
    assert drill.scenario == "Multi-region outage"
    assert set(drill.participants.all()) == {sre, srelead}
    assert drill.history.latest().history_source == "api"


def test_a_patch_moves_the_drill_and_marks_it_edited(frozen, client_for, srelead, sre):
    drill = DrillFactory(starts_at=at(2027, 1, 20, 10))
    response = client_for(srelead).patch(
        reverse("api:drill-detail", args=[drill.pk]),
        {"starts_at": "2027-01-22T09:00:00Z", "participants": [sre.pk]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["participants"] == [sre.pk]
    assert response.json()["edited_by_person"] is True
    drill.refresh_from_db()
    assert drill.starts_at == at(2027, 1, 22, 9) and drill.edited_by_person


def test_a_patch_cannot_change_the_status_or_type(frozen, client_for, srelead):
    drill = DrillFactory()
    url = reverse("api:drill-detail", args=[drill.pk])
    client = client_for(srelead)
    client.patch(url, {"status": "done"}, content_type="application/json")
    drill.refresh_from_db()
    assert drill.status == Drill.Status.PLANNED
    response = client.patch(
        url, {"drill_type": "tabletop_exercise"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["drill_type"]


def test_a_cancelled_drill_cannot_be_patched(frozen, client_for, srelead):
    drill = DrillFactory(status=Drill.Status.CANCELLED)
    response = client_for(srelead).patch(
        reverse("api:drill-detail", args=[drill.pk]),
        {"title": "Revived"},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_an_invalid_drill_names_every_bad_field(frozen, client_for, srelead):
    response = client_for(srelead).post(
        LIST_URL,
        {"drill_type": "no-such-type", "planned_duration_minutes": 0},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {
        "drill_type",
        "starts_at",
        "planned_duration_minutes",
    }


def test_an_sre_reads_but_cannot_write(frozen, client_for, sre):
    drill = DrillFactory()
    client = client_for(sre)
    assert client.get(reverse("api:drill-detail", args=[drill.pk])).status_code == 200
    response = client.patch(
        reverse("api:drill-detail", args=[drill.pk]),
        {"title": "Mine now"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
