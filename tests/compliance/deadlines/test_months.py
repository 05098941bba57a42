"""One-month deadlines: same day and wall-clock time, clamped to a shorter month's end."""

import datetime as dt

from compliance.deadlines import counting, types
from tests.compliance.deadlines.cases import PARIS, at, case, entity, result

NIS2_FINAL = "eu_nis2_art23/final_report"


def _nis2(notified):
    the_entity = entity("Acme Cloud SAS", statuses=("nis2_essential",))
    return case(
        the_entity,
        dated={types.DETECTION: notified - dt.timedelta(days=2)},
        submissions={"eu_nis2_art23/incident_notification": notified},
    )


def test_one_month_from_31_january_ends_on_28_february_in_a_common_year():
    r = result(_nis2(at("2026-01-31 10:00", PARIS)), NIS2_FINAL)
    assert r.counting == types.CALENDAR_MONTHS and r.period == 1
    assert r.due_at == at("2026-02-28 10:00", PARIS)
    assert r.due_date == dt.date(2026, 2, 28)
    assert r.alternative is not None
    assert r.alternative.due_at == at("2026-02-28 23:59:59", PARIS)
    assert "1182/71" in r.alternative.basis


def test_one_month_from_31_january_ends_on_29_february_in_a_leap_year():
    r = result(_nis2(at("2028-01-31 10:00", PARIS)), NIS2_FINAL)
    assert r.due_at == at("2028-02-29 10:00", PARIS)
    assert r.alternative.due_at == at("2028-02-29 23:59:59", PARIS)


def test_one_month_from_31_october_ends_on_30_november_at_the_same_wall_clock_time():
    # 31 October 2026 is after Paris left summer time: both ends are UTC+1.
    r = result(_nis2(at("2026-10-31 10:00", PARIS)), NIS2_FINAL)
    assert r.due_at == at("2026-11-30 10:00", PARIS)
    assert r.due_date == dt.date(2026, 11, 30)


def test_one_month_across_a_dst_change_keeps_the_local_wall_clock_time():
    # From winter time (UTC+1) into summer time (UTC+2): 11 hours UTC, not 10.
    due = counting.add_months(at("2026-03-15 10:00", PARIS), 1, "Europe/Paris")
    assert due == at("2026-04-15 08:00")
    assert due.astimezone(PARIS).hour == 10


def test_the_final_report_waits_for_the_incident_notification_to_be_submitted():
    the_entity = entity("Acme Cloud SAS", statuses=("nis2_essential",))
    r = result(case(the_entity, dated={types.DETECTION: at("2026-01-30 10:00")}), NIS2_FINAL)
    assert r.required
    assert r.due_at is None and r.anchor_at is None
    assert r.waiting_for == "submission of Incident notification"
    assert r.anchor == "submission:incident_notification"


def test_pipeda_record_keeping_counts_24_months():
    org = entity(
        "Acme Canada",
        jurisdictions=("CA",),
        statuses=("ca_pipeda_organisation",),
        calendars=("CA",),
        time_zone="America/Toronto",
    )
    determined = at("2026-05-31 12:00", counting.zone("America/Toronto"))
    the_case = case(
        org,
        involves_personal_data=True,
        dated={types.DETECTION: determined, types.BREACH_DETERMINATION: determined},
    )
    r = result(the_case, "ca_pipeda_s10_1/record_keeping")
    assert r.due_date == dt.date(2028, 5, 31)
    assert not r.verified
