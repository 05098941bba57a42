"""The On call pages, the communication matrix page, the escalation include and the API."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from bcp_portal.core.tasks import outbox_sweep
from incidents.models import OnCallOverride
from incidents.services.oncall import override_create
from incidents.tasks import escalation_advance
from tests.incidents.factories import declare
from tests.incidents.oncall_factories import rotation, sre

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def team(srelead, time_machine):
    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    alice, bob = sre("alice"), sre("bob")
    return rotation(srelead, [alice, bob], starts_at=T0), alice, bob


def _overrides(srelead, rotation_row, person, count):
    for n in range(count):
        start = T0 + timedelta(days=1, hours=n)
        override_create(
            actor=srelead,
            rotation=rotation_row,
            user=person,
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
            reason=f"Swap {n}",
        )


def test_the_on_call_page_shows_who_is_on_call_now_and_the_coming_weeks(client_for, team, auditor):
    _, alice, bob = team
    page = client_for(auditor).get(reverse("incidents:oncall"))
    assert page.status_code == 200
    assert page.context["current"].primary == alice
    assert page.context["current"].secondary == bob
    # The shift under way, then the ones starting within four weeks.
    assert len(page.context["shifts"]) == 5
    assert b"Add an override" not in page.content  # the auditor only reads


def test_the_on_call_page_is_refused_to_an_outsider(client_for, team, outsider):
    assert client_for(outsider).get(reverse("incidents:oncall")).status_code == 403


@pytest.mark.parametrize("count", [2, 30])
def test_the_on_call_page_reads_a_constant_number_of_queries(
    client_for, team, srelead, django_assert_num_queries, count
):
    rotation_row, _, bob = team
    _overrides(srelead, rotation_row, bob, count)
    client = client_for(srelead)
    client.get(reverse("incidents:oncall"))  # warm the session and profile caches
    # The listed overrides hold the rota's: one query reads both; the rotation comes with
    # its members.
    with django_assert_num_queries(8):
        page = client.get(reverse("incidents:oncall"))
    assert len(page.context["overrides"]) == count


def test_a_rotation_without_members_still_shows_with_its_empty_rota(client_for, srelead):
    from tests.incidents.oncall_factories import rotation as make_rotation

    make_rotation(srelead, [], starts_at=T0)
    page = client_for(srelead).get(reverse("incidents:oncall"))
    assert page.context["rotation"].name == "SRE rota"
    assert b"The rotation has no members yet." in page.content


def test_the_rota_shows_every_override_of_its_weeks_beyond_the_listed_fifty(
    client_for, team, srelead
):
    rotation_row, _, bob = team
    _overrides(srelead, rotation_row, bob, 55)  # hourly from tomorrow: all within the rota
    page = client_for(srelead).get(reverse("incidents:oncall"))
    assert len(page.context["overrides"]) == 50
    shown = {o.pk for shift in page.context["shifts"] for o in shift.overrides}
    assert len(shown) == 55


def test_an_sre_takes_a_slot_through_the_form(client_for, team):
    _, _alice, bob = team
    start = datetime(2026, 11, 5, 10, 0)
    answer = client_for(bob).post(
        reverse("incidents:override-add"),
        {
            "slot": "primary",
            "user": bob.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "Swap with Alice",
        },
    )
    assert answer.status_code == 302
    assert OnCallOverride.objects.get().user == bob


def test_the_form_keeps_what_was_typed_and_names_the_field(client_for, team):
    _, _alice, bob = team
    answer = client_for(bob).post(
        reverse("incidents:override-add"),
        {
            "slot": "primary",
            "user": bob.pk,
            "starts_at": "2026-11-05T10:00",
            "ends_at": "2026-11-05T09:00",
            "reason": "Swap with Alice",
        },
    )
    assert answer.status_code == 200
    assert "ends_at" in answer.context["form"].errors
    assert b"Swap with Alice" in answer.content
    assert not OnCallOverride.objects.exists()


def test_the_matrix_page_lists_the_four_severities(client_for, sre):
    page = client_for(sre).get(reverse("incidents:communication-matrix"))
    assert page.status_code == 200
    assert [r.severity for r in page.context["rules"]] == ["P0", "P1", "P2", "P3"]
    assert b"Immediately" in page.content


def test_the_escalation_include_shows_pages_and_missed_deadlines(
    client_for, team, sre, time_machine
):
    _, _alice, _ = team
    incident = declare(sre, severity="P1")  # nobody holds Engineering Manager: undeliverable
    outbox_sweep()
    time_machine.move_to(T0 + timedelta(hours=2), tick=False)
    escalation_advance()
    page = client_for(sre).get(reverse("incidents:incident-escalation", args=[incident.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Primary on call" in text and "Alice Doe" in text
    assert "notification deadline missed" in text
    assert "Engineering Manager (role)" in text


def test_the_api_says_who_is_on_call_now_and_lists_the_shifts(client_for, team, sre):
    _, alice, bob = team
    client = client_for(sre)
    now = client.get("/api/v1/oncall/rotations/now").json()
    assert (now["primary"], now["secondary"]) == (alice.pk, bob.pk)
    rota = client.get("/api/v1/oncall/rotations/shifts").json()
    assert rota["rotation"] == now["rotation"]
    assert len(rota["shifts"]) == 5 and rota["shifts"][1]["primary"] == bob.pk


def test_the_api_adds_an_sres_own_override_and_refuses_anothers(client_for, team):
    _, _alice, bob = team
    body = {
        "slot": "primary",
        "starts_at": "2026-11-03T10:00:00Z",
        "ends_at": "2026-11-03T18:00:00Z",
        "reason": "Swap",
    }
    client = client_for(bob)
    made = client.post("/api/v1/oncall/overrides", {**body, "user": bob.pk}, "application/json")
    assert made.status_code == 201, made.content
    assert made.json()["user"] == bob.pk
    # A day later Alice holds primary: Bob may take it, not give it to someone else.
    refused = client.post(
        "/api/v1/oncall/overrides",
        {
            **body,
            "user": sre("carol").pk,
            "starts_at": "2026-11-04T10:00:00Z",
            "ends_at": "2026-11-04T18:00:00Z",
        },
        "application/json",
    )
    assert refused.status_code == 403
    bad = client.post(
        "/api/v1/oncall/overrides",
        {**body, "user": bob.pk, "ends_at": "2026-11-03T09:00:00Z"},
        "application/json",
    )
    assert bad.status_code == 400 and "ends_at" in bad.content.decode()
