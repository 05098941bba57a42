"""Calendar and business days: local dates, holidays, SEC's weekend rule and 17:30 cut-off."""

import datetime as dt

from compliance.deadlines import counting, types
from tests.compliance.deadlines.cases import NEW_YORK, at, case, entity, result, us_entity

FORM_8K = "us_sec_form_8k_item_1_05/form_8k"


def _sec(determined):
    dated = {types.DETECTION: determined, types.MATERIALITY_DETERMINATION: determined}
    return case(us_entity("sec_registrant"), dated=dated, time_zone="America/New_York")


def test_sec_four_business_days_skip_thanksgiving_and_the_weekend():
    # Wednesday 25 November 2026; Thursday 26 is Thanksgiving.
    r = result(_sec(at("2026-11-25 11:00", NEW_YORK)), FORM_8K)
    assert r.counting == types.BUSINESS_DAYS
    assert r.due_date == dt.date(2026, 12, 2)  # Fri 27, Mon 30, Tue 1, Wed 2
    assert r.due_at == at("2026-12-02 17:30", NEW_YORK)
    assert r.local_zone == "America/New_York"


def test_a_materiality_determination_on_a_saturday_starts_on_the_next_business_day():
    # Saturday 28 November 2026: Monday 30 is day one (General Instruction B.1).
    r = result(_sec(at("2026-11-28 10:00", NEW_YORK)), FORM_8K)
    assert r.due_date == dt.date(2026, 12, 3)
    assert "first business day thereafter, 2026-11-30" in r.basis


def test_a_determination_on_a_federal_holiday_also_starts_on_the_next_business_day():
    # Thanksgiving itself: Friday 27 is day one.
    r = result(_sec(at("2026-11-26 10:00", NEW_YORK)), FORM_8K)
    assert r.due_date == dt.date(2026, 12, 2)


def test_the_sec_cut_off_is_1730_new_york_time_on_both_sides_of_the_us_dst_change():
    # US clocks go forward on Sunday 8 March 2026.
    before = result(_sec(at("2026-03-02 09:00", NEW_YORK)), FORM_8K)
    assert before.due_date == dt.date(2026, 3, 6)
    assert before.due_at == at("2026-03-06 22:30")  # 17:30 EST
    after = result(_sec(at("2026-03-05 09:00", NEW_YORK)), FORM_8K)
    assert after.due_date == dt.date(2026, 3, 11)
    assert after.due_at == at("2026-03-11 21:30")  # 17:30 EDT
    # And back on Sunday 1 November 2026.
    autumn = result(_sec(at("2026-10-29 09:00", NEW_YORK)), FORM_8K)
    assert autumn.due_date == dt.date(2026, 11, 4)
    assert autumn.due_at == at("2026-11-04 22:30")


def test_the_determination_date_is_read_in_new_york_not_in_utc():
    # 02:00 UTC on Saturday is still Friday evening in New York: a business day.
    r = result(_sec(at("2026-11-28 02:00")), FORM_8K)
    assert r.due_date == dt.date(2026, 12, 3)  # Mon 30, Tue 1, Wed 2, Thu 3 after Fri 27
    assert "first business day" not in r.basis


def test_no_materiality_determination_means_no_form_8k_yet():
    the_case = case(us_entity("sec_registrant"), dated={types.DETECTION: at("2026-11-25 11:00")})
    r = result(the_case, FORM_8K)
    assert not r.required
    assert "no fact recorded: determined material" in r.reason


def test_business_days_skip_weekends_and_us_federal_holidays():
    us = counting.calendar(("US",))
    # Thursday 2 July 2026; Friday 3 is Independence Day (observed).
    assert us.add_business_days(dt.date(2026, 7, 2), 3) == dt.date(2026, 7, 8)
    assert not us.is_business_day(dt.date(2026, 7, 3))
    assert us.is_business_day(dt.date(2026, 7, 6))
    weekends_only = counting.calendar(())
    assert weekends_only.add_business_days(dt.date(2026, 7, 2), 3) == dt.date(2026, 7, 7)


def test_an_unknown_holiday_calendar_is_named_and_ignored():
    cal = counting.calendar(("US", "ZZ"))
    assert cal.codes == ("US",)
    assert "ZZ" in cal.describe()


def test_visa_working_days_use_the_entitys_holidays():
    merchant = us_entity("pci_merchant")
    the_case = case(
        merchant, involves_payment_data=True, dated={types.DETECTION: at("2026-07-02 15:00")}
    )
    r = result(the_case, "pci_dss_card_brands/visa_incident_report")
    assert r.due_date == dt.date(2026, 7, 8)
    assert r.due_at == at("2026-07-08 23:59:59", NEW_YORK)
    assert not r.verified  # the reference marks the 3-working-day report unverified


def test_calendar_days_end_at_the_end_of_the_local_day():
    colorado = entity(
        "Acme Colorado",
        jurisdictions=("US-CO",),
        statuses=(),
        calendars=("US",),
        time_zone="America/Denver",
    )
    determined = at("2026-03-01 23:30", counting.zone("America/Denver"))
    the_case = case(
        colorado,
        involves_personal_data=True,
        dated={types.DETECTION: determined, types.BREACH_DETERMINATION: determined},
        persons_affected={"US-CO": 20},
    )
    r = result(the_case, "us_state_colorado/notice_to_residents")
    assert r.counting == types.CALENDAR_DAYS
    assert r.due_date == dt.date(2026, 3, 31)
    # 23:59:59 MDT (Denver moved to summer time on 8 March).
    assert r.due_at == at("2026-04-01 05:59:59")
    ag = result(the_case, "us_state_colorado/attorney_general")
    assert not ag.required
    assert "20 persons affected in US-CO" in ag.reason


def test_hipaa_small_breaches_are_due_60_days_after_the_end_of_the_year():
    covered = us_entity("hipaa_covered_entity")
    found = at("2026-06-10 12:00", NEW_YORK)
    the_case = case(
        covered,
        involves_personal_data=True,
        dated={types.DETECTION: found, types.DISCOVERY: found},
        persons_affected={"US-NY": 20},
    )
    small = result(the_case, "us_hipaa_breach_notification/hhs_fewer_than_500")
    assert small.required
    assert small.due_date == dt.date(2027, 3, 1)
    large = result(the_case, "us_hipaa_breach_notification/hhs_500_or_more")
    assert not large.required
    individuals = result(the_case, "us_hipaa_breach_notification/individuals")
    assert individuals.due_date == dt.date(2026, 8, 9)
