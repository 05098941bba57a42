"""Elapsed-hour deadlines: counted in UTC, so DST changes never shift them."""

from compliance.deadlines import counting, types
from tests.compliance.deadlines.cases import PARIS, at, case, entity, result

GDPR_SA = "eu_gdpr_art33_art34/supervisory_authority"


def _gdpr(awareness, **fields):
    dated = {types.DETECTION: awareness, types.CONTROLLER_AWARENESS: awareness}
    return case(involves_personal_data=True, gdpr_risk=types.RISK, dated=dated, **fields)


def test_gdpr_72_hours_across_the_spring_dst_change_in_paris_are_72_real_hours():
    # Paris moves from UTC+1 to UTC+2 on Sunday 29 March 2026.
    r = result(_gdpr(at("2026-03-28 10:00", PARIS)), GDPR_SA)
    assert r.required and not r.provisional
    assert r.due_at == at("2026-03-31 09:00")
    assert r.due_at.astimezone(PARIS).hour == 11  # the wall clock gains the lost hour
    assert r.counting == types.ELAPSED_HOURS and r.period == 72


def test_gdpr_72_hours_across_the_autumn_dst_change_in_paris_are_72_real_hours():
    # Paris moves from UTC+2 back to UTC+1 on Sunday 25 October 2026.
    r = result(_gdpr(at("2026-10-24 10:00", PARIS)), GDPR_SA)
    assert r.due_at == at("2026-10-27 08:00")
    assert r.due_at.astimezone(PARIS).hour == 9


def test_the_same_awareness_stated_in_utc_gives_the_same_instant():
    paris = result(_gdpr(at("2026-03-28 10:00", PARIS)), GDPR_SA)
    utc = result(_gdpr(at("2026-03-28 09:00")), GDPR_SA)
    assert paris.due_at == utc.due_at


def test_an_entity_in_utc_counts_72_hours_over_the_dst_weekend_the_same_way():
    the_case = _gdpr(at("2026-10-24 08:00"), entities=(entity(time_zone="UTC", calendars=()),))
    r = result(the_case, GDPR_SA)
    assert r.due_at == at("2026-10-27 08:00")
    assert r.local_zone == "UTC"


def test_gdpr_shows_the_whole_clock_hour_reading_as_the_alternative():
    r = result(_gdpr(at("2026-03-28 10:17", PARIS)), GDPR_SA)
    assert r.due_at == at("2026-03-31 09:17")
    assert r.alternative is not None
    # The hour 10:00-11:00 (Paris) is not counted: 72 hours from 11:00 CET.
    assert r.alternative.due_at == at("2026-03-31 10:00")
    assert "1182/71" in r.alternative.basis


def test_adding_hours_in_utc_ignores_the_wall_clock():
    start = at("2026-03-29 01:30", PARIS)  # half an hour before the clocks go forward
    assert counting.add_hours(start, 1) == at("2026-03-29 01:30")
    assert counting.add_hours(start, 1).astimezone(PARIS).hour == 3
