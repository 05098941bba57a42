"""On-call rotation, overrides and the communication matrix's reference data."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.catalogue.services import organisation_profile_update
from incidents.models import CommunicationRule, OnCallRotation
from incidents.oncall import channel_errors
from incidents.oncall_selectors import on_call_at, rota
from incidents.services.oncall import override_create, rotation_create, rotation_update
from incidents.services.reference import communication_matrix_load
from tests.factories import UserFactory
from tests.incidents.oncall_factories import rotation, sre

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def team(srelead):
    alice, bob, carol = sre("alice"), sre("bob"), sre("carol")
    return rotation(srelead, [alice, bob, carol], starts_at=MONDAY), alice, bob, carol


def test_weekly_shifts_hand_over_primary_and_secondary_in_member_order(team):
    _, alice, bob, carol = team
    first = on_call_at(MONDAY + timedelta(days=1))
    assert (first.primary, first.secondary) == (alice, bob)
    second = on_call_at(MONDAY + timedelta(days=7))
    assert (second.primary, second.secondary) == (bob, carol)
    wrapped = on_call_at(MONDAY + timedelta(days=14, hours=3))
    assert (wrapped.primary, wrapped.secondary) == (carol, alice)
    before = on_call_at(MONDAY - timedelta(minutes=1))
    assert (before.primary, before.secondary) == (None, None)


def test_an_override_makes_another_person_primary_for_its_window_only(team, srelead):
    rotation_row, alice, bob, carol = team
    start = MONDAY + timedelta(days=2)
    override_create(
        actor=srelead,
        rotation=rotation_row,
        user=carol,
        starts_at=start,
        ends_at=start + timedelta(hours=12),
        reason="Alice at the dentist",
    )
    assert on_call_at(start - timedelta(seconds=1)).primary == alice
    during = on_call_at(start + timedelta(hours=6))
    assert during.primary == carol
    assert during.primary_override.reason == "Alice at the dentist"
    assert during.secondary == bob  # the other slot keeps the rotation's person
    assert on_call_at(start + timedelta(hours=12)).primary == alice


def test_the_override_added_last_wins_where_two_overlap(team, srelead):
    rotation_row, _alice, bob, carol = team
    start = MONDAY + timedelta(days=1)
    for person, reason in ((bob, "Swap"), (carol, "Swap again")):
        override_create(
            actor=srelead,
            rotation=rotation_row,
            user=person,
            starts_at=start,
            ends_at=start + timedelta(days=1),
            reason=reason,
        )
    assert on_call_at(start + timedelta(hours=1)).primary == carol


def test_shifts_keep_their_wall_clock_time_across_a_daylight_saving_change(srelead):
    admin = UserFactory(username="root", is_superuser=True)
    organisation_profile_update(
        actor=admin, profile=organisation_profile(), time_zone="Europe/Paris"
    )
    alice, bob = sre("alice"), sre("bob")
    # Monday 19 October 2026, 09:00 in Paris (07:00 UTC); clocks go back on 25 October.
    start = datetime(2026, 10, 19, 7, 0, tzinfo=UTC)
    rotation(srelead, [alice, bob], starts_at=start)
    shifts = rota(start=start, weeks=2)
    assert [s.shift.starts_at.astimezone(UTC).hour for s in shifts] == [7, 8]
    assert on_call_at(datetime(2026, 10, 26, 7, 30, tzinfo=UTC)).primary == alice
    assert on_call_at(datetime(2026, 10, 26, 8, 0, tzinfo=UTC)).primary == bob


def test_the_rota_lists_four_weeks_with_their_overrides_in_constant_queries(
    team, srelead, django_assert_num_queries
):
    rotation_row, _, _, carol = team
    override_create(
        actor=srelead,
        rotation=rotation_row,
        user=carol,
        starts_at=MONDAY + timedelta(days=8),
        ends_at=MONDAY + timedelta(days=9),
        reason="Holiday",
    )
    with django_assert_num_queries(4):  # rotation, members, overrides, organisation zone
        shifts = rota(start=MONDAY)
    assert len(shifts) == 4
    assert [len(s.overrides) for s in shifts] == [0, 1, 0, 0]


def test_an_sre_adds_an_override_only_for_a_swap_involving_themselves(team, srelead):
    rotation_row, alice, bob, carol = team
    start = MONDAY + timedelta(days=1)  # alice is primary, bob secondary
    window = {"starts_at": start, "ends_at": start + timedelta(days=1), "reason": "Swap"}
    # Alice hands her primary slot to Carol; Carol takes a slot herself.
    override_create(actor=alice, rotation=rotation_row, user=carol, **window)
    override_create(actor=carol, rotation=rotation_row, user=carol, slot="secondary", **window)
    # Bob may not move Alice's slot to Carol.
    with pytest.raises(PermissionDenied):
        override_create(actor=bob, rotation=rotation_row, user=carol, **window)
    # The SRE Lead may.
    override_create(actor=srelead, rotation=rotation_row, user=bob, **window)


def test_an_override_needs_a_reason_an_order_and_a_person_with_a_role(team, srelead, outsider):
    rotation_row, alice, *_ = team
    start = MONDAY + timedelta(days=1)
    cases = [
        ({"user": alice, "ends_at": start + timedelta(hours=1), "reason": " "}, "reason"),
        ({"user": alice, "ends_at": start, "reason": "Swap"}, "ends_at"),
        ({"user": alice, "ends_at": start + timedelta(days=93), "reason": "Swap"}, "ends_at"),
        ({"user": outsider, "ends_at": start + timedelta(hours=1), "reason": "Swap"}, "user"),
    ]
    for fields, name in cases:
        with pytest.raises(ValidationError) as refused:
            override_create(actor=srelead, rotation=rotation_row, starts_at=start, **fields)
        assert name in refused.value.message_dict


def test_one_rotation_pages_making_another_active_retires_the_first(team, srelead):
    first, alice, bob, _ = team
    second = rotation_create(
        actor=srelead, name="Weekend rota", starts_at=MONDAY, members=[bob, alice]
    )
    first.refresh_from_db()
    assert not first.is_active and second.is_active
    rotation_update(actor=srelead, rotation=first, is_active=True)
    second.refresh_from_db()
    assert not second.is_active
    with pytest.raises(IntegrityError), transaction.atomic():
        OnCallRotation.objects.create(name="Third", starts_at=MONDAY, is_active=True)


def test_an_sre_cannot_create_or_change_a_rotation(sre, team):
    rotation_row, alice, *_ = team
    with pytest.raises(PermissionDenied):
        rotation_create(actor=sre, name="Mine", starts_at=MONDAY, members=[alice])
    with pytest.raises(PermissionDenied):
        rotation_update(actor=sre, rotation=rotation_row, shift_days=1)


def test_the_matrix_defaults_follow_the_runbook_and_loading_again_keeps_an_edit():
    rows = {r.severity: r for r in CommunicationRule.objects.all()}
    assert {s: r.notify_within_minutes for s, r in rows.items()} == {
        "P0": 0,
        "P1": 15,
        "P2": 60,
        "P3": 1440,
    }
    assert set(rows["P0"].roles.values_list("name", flat=True)) == {"SRE", "SRE Lead", "CTO"}
    assert rows["P0"].executive_contacts and not rows["P3"].page_on_call
    edited = rows["P1"]
    edited.notify_within_minutes = 10
    edited.save()
    assert communication_matrix_load() == 0
    assert CommunicationRule.objects.get(severity="P1").notify_within_minutes == 10
    CommunicationRule.objects.filter(severity="P3").delete()
    assert communication_matrix_load() == 1


def test_channel_names_are_checked():
    assert channel_errors(["pagerduty:ops", "webhook:chat", "email", "inapp"]) == []
    assert channel_errors(["sms"]) and channel_errors(["email", "email"])
    assert channel_errors("email") and channel_errors(["webhook:"])
