"""DR metrics on a fixture built by hand, every figure computed by hand in the comments.

The organisation is in Europe/Paris (UTC+1 in winter, UTC+2 from 2026-03-29 01:00 UTC). The
period is March and April 2026 in Paris:
    starts 2026-03-01 00:00 Paris = 2026-02-28 23:00 UTC
    ends   2026-05-01 00:00 Paris = 2026-04-30 22:00 UTC
    length: March 31 days less the DST hour (743 h) + April 720 h = 1,463 h = 87,780 min.
Time is frozen on 2026-05-10, after the period, so "now" clips nothing.

Services (RTO target/max, RPO target/max, in minutes):
    A "Checkout API"  60/240, 15/60
    B "Orders DB"    120/480,  5/30
    C "Search"       240/1440, 60/240
The organisation's objectives are the runbook's: RTO 240/1440, RPO 60/240, availability
99.9 % target and 99.5 % minimum.

Incidents (times UTC; "month" is the Paris month of detection):
  I0 P2 application outage, C: onset 02-28 22:00, detected 22:10, restored 03-01 00:00.
     February in Paris (23:10): not in the monthly view; C's outage clipped to
     [02-28 23:00, 03-01 00:00] = 60 min.
  I1 P1 database outage, A+B: onset 03-10 09:00, detected 09:10, restored 10:30.
     RTO 90 (targets: strictest of A, B = 60, max 240): over target, within max.
     RPO 10 (strictest 5, max 30): over target, within max. Users 1,000. Detect 10, recover 80.
  I2 P1 application outage, A: onset 03-10 10:00, detected 10:05, restored 11:00.
     RTO 60 = target 60: within (a bound met exactly is met). RPO unknown. Users 500.
     Detect 5, recover 55.
  I3 P2 storage outage, A: onset unknown, detected 03-10 09:30, restored 09:45.
     RTO 15 from detection (A's target 60, not the type's 60 by chance: within). Users
     unknown. Detect unknown. Recover 15.
  I4 P2 partial degradation, B: onset 03-20 12:00, detected 12:00, restored 12:40.
     RTO 40 (B: 120): within. RPO 0, known (within 5). Users 50. Detect 0, recover 40.
     Not an outage: availability ignores it.
  I8 P3 other, no service: detected 03-31 21:30 (23:30 Paris: still March), restored 21:50.
     RTO 20 against the organisation's 240 (type "other" has no RTO): within. Recover 20.
  I5 P0 database outage, B: onset 03-31 23:00, detected 23:30 (04-01 01:30 Paris: April),
     restored 04-01 03:00. RTO 240 (B 120 / 480): over target, within max. RPO 45 (5 / 30):
     over both. Users 20,000. Detect 30, recover 210.
  I6 P1 security incident, no service: detected 04-20 08:00, not restored. Users 300.
  I7 P1 database outage, B: onset 04-29 22:00, detected 22:30, not restored: B is down to the
     end of the period, 04-30 22:00 = 1,440 min. Detect 30.

The availability statement differs between PostgreSQL and SQLite (`make run`): this module
passes on both (run it with DATABASE_URL unset for SQLite).

Availability (outages merged per service, clipped to the period):
  A: I1 09:00-10:30, I2 10:00-11:00 and I3 09:30-09:45 overlap: one outage 09:00-11:00 =
     120 min. 100 * (1 - 120 / 87,780) = 99.8633 %: below the 99.9 % target, above 99.5 %.
  B: I1 90 min + I5 240 min + I7 1,440 min = 1,770 min in three outages (I4 is a
     degradation). 100 * (1 - 1,770 / 87,780) = 97.9836 %: below the minimum.
  C: 60 min. 100 * (1 - 60 / 87,780) = 99.9316 %: the target is met.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from bcp_portal.catalogue.selectors import organisation_profile
from incidents import metrics
from tests.factories import ServiceFactory
from tests.incidents.factories import declare

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 5, 10, 12, 0, tzinfo=dt.UTC)
MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def utc(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def world(srelead):
    """The fixture of the module docstring; returns the services by letter."""
    profile = organisation_profile()
    profile.time_zone = "Europe/Paris"
    profile.save()
    a = ServiceFactory(name="Checkout API", rto_target_minutes=60, rto_max_minutes=240,
                       rpo_target_minutes=15, rpo_max_minutes=60)  # fmt: skip
    b = ServiceFactory(name="Orders DB", rto_target_minutes=120, rto_max_minutes=480,
                       rpo_target_minutes=5, rpo_max_minutes=30)  # fmt: skip
    c = ServiceFactory(name="Search")
    with time_machine.travel(NOW, tick=False):
        declare(srelead, title="I0", type_key="application-outage", severity="P2",
                services=[c], started_at=utc(2, 28, 22), detected_at=utc(2, 28, 22, 10),
                restored_at=utc(3, 1, 0))  # fmt: skip
        declare(srelead, title="I1", type_key="database-outage", severity="P1",
                services=[a, b], started_at=utc(3, 10, 9), detected_at=utc(3, 10, 9, 10),
                restored_at=utc(3, 10, 10, 30), rpo_actual_minutes=10, rpo_basis="backup",
                affected_users=1000)  # fmt: skip
        declare(srelead, title="I2", type_key="application-outage", severity="P1",
                services=[a], started_at=utc(3, 10, 10), detected_at=utc(3, 10, 10, 5),
                restored_at=utc(3, 10, 11), affected_users=500)  # fmt: skip
        declare(srelead, title="I3", type_key="storage-outage", severity="P2",
                services=[a], detected_at=utc(3, 10, 9, 30),
                restored_at=utc(3, 10, 9, 45))  # fmt: skip
        declare(srelead, title="I4", type_key="partial-degradation", severity="P2",
                services=[b], started_at=utc(3, 20, 12), detected_at=utc(3, 20, 12),
                restored_at=utc(3, 20, 12, 40), rpo_actual_minutes=0, rpo_basis="logs",
                affected_users=50)  # fmt: skip
        declare(srelead, title="I8", type_key="other", severity="P3",
                detected_at=utc(3, 31, 21, 30), restored_at=utc(3, 31, 21, 50))  # fmt: skip
        declare(srelead, title="I5", type_key="database-outage", severity="P0",
                services=[b], started_at=utc(3, 31, 23), detected_at=utc(3, 31, 23, 30),
                restored_at=utc(4, 1, 3), rpo_actual_minutes=45, rpo_basis="wal",
                affected_users=20000)  # fmt: skip
        declare(srelead, title="I6", type_key="security-incident", severity="P1",
                detected_at=utc(4, 20, 8), affected_users=300)  # fmt: skip
        declare(srelead, title="I7", type_key="database-outage", severity="P1",
                services=[b], started_at=utc(4, 29, 22),
                detected_at=utc(4, 29, 22, 30))  # fmt: skip
    return {"A": a, "B": b, "C": c}


def figures_for(service=None, severity=""):
    scope = metrics.Scope(
        period=metrics.Period(MARCH, APRIL, PARIS),
        service_id=service.pk if service else None,
        severity=severity,
    )
    return metrics.dr_metrics(scope=scope, profile=organisation_profile(), now=NOW)


def test_the_period_is_two_paris_months_less_the_daylight_saving_hour():
    period = metrics.Period(MARCH, APRIL, PARIS)
    assert period.starts_at == utc(2, 28, 23)
    assert period.ends_at == utc(4, 30, 22)
    assert (period.ends_at - period.starts_at) == dt.timedelta(minutes=87_780)


def test_the_monthly_view_per_month_and_severity_equals_the_hand_computation(world):
    result = figures_for()
    rows = {(r.month, r.severity): r.figures.as_dict() for r in result.rows}
    # February's I0 is outside the period; I5, detected 23:30 UTC on 31 March, is April's.
    assert sorted(rows) == [
        (MARCH, "P1"), (MARCH, "P2"), (MARCH, "P3"), (APRIL, "P0"), (APRIL, "P1"),
    ]  # fmt: skip
    march_p1 = rows[(MARCH, "P1")]
    assert march_p1["incidents"] == 2
    assert march_p1["rto_average_minutes"] == 75.0  # (90 + 60) / 2
    assert march_p1["rpo_average_minutes"] == 10.0  # I2's unknown RPO is not a zero
    assert march_p1["rpo_known"] == 1
    assert march_p1["users_affected"] == 1500
    assert march_p1["detect_average_minutes"] == 7.5  # (10 + 5) / 2
    assert march_p1["recover_average_minutes"] == 67.5  # (80 + 55) / 2
    assert (march_p1["rto_within_target"], march_p1["rto_within_max"]) == (1, 2)
    assert (march_p1["rto_target_percent"], march_p1["rto_max_percent"]) == (50.0, 100.0)
    assert (march_p1["rpo_target_percent"], march_p1["rpo_max_percent"]) == (0.0, 100.0)

    march_p2 = rows[(MARCH, "P2")]
    assert march_p2["incidents"] == 2
    assert march_p2["rto_average_minutes"] == 27.5  # (15 + 40) / 2
    assert march_p2["rpo_average_minutes"] == 0.0  # I4's known zero counts
    assert march_p2["users_affected"] == 50
    assert march_p2["detect_average_minutes"] == 0.0  # I4 only: I3's onset is unknown
    assert march_p2["recover_average_minutes"] == 27.5
    assert march_p2["rto_target_percent"] == 100.0
    assert march_p2["rpo_target_percent"] == 100.0

    march_p3 = rows[(MARCH, "P3")]
    assert march_p3["rto_average_minutes"] == 20.0
    assert march_p3["rpo_average_minutes"] is None
    assert march_p3["users_affected"] is None  # unknown, not zero
    assert march_p3["detect_average_minutes"] is None
    assert march_p3["rto_target_percent"] == 100.0  # 20 <= the organisation's 240

    april_p0 = rows[(APRIL, "P0")]
    assert april_p0["rto_average_minutes"] == 240.0
    assert april_p0["rpo_average_minutes"] == 45.0
    assert april_p0["users_affected"] == 20000
    assert april_p0["detect_average_minutes"] == 30.0
    assert april_p0["recover_average_minutes"] == 210.0
    assert (april_p0["rto_target_percent"], april_p0["rto_max_percent"]) == (0.0, 100.0)
    assert (april_p0["rpo_target_percent"], april_p0["rpo_max_percent"]) == (0.0, 0.0)

    april_p1 = rows[(APRIL, "P1")]
    assert april_p1["incidents"] == 2
    assert (april_p1["restored"], april_p1["not_restored"]) == (0, 2)
    assert april_p1["rto_average_minutes"] is None  # neither is restored
    assert april_p1["recover_average_minutes"] is None
    assert april_p1["rto_target_percent"] is None
    assert april_p1["users_affected"] == 300
    assert april_p1["detect_average_minutes"] == 30.0  # I7; I6's onset is unknown


def test_months_and_the_period_total_add_sums_not_averages(world):
    result = figures_for()
    march, april = result.months
    assert (march.month, april.month) == (MARCH, APRIL)
    assert march.figures.incidents == 5
    assert march.figures.rto_average == 45.0  # (90 + 60 + 15 + 40 + 20) / 5
    assert april.figures.incidents == 3
    assert (april.figures.restored, april.figures.not_restored) == (1, 2)
    total = result.total.as_dict()
    assert total["incidents"] == 8
    assert total["restored"] == 6
    assert total["rto_average_minutes"] == 77.5  # 465 / 6
    # Within target: I2, I3, I4, I8 of six restored; within max: all six (I5: 240 <= 480).
    assert (total["rto_within_target"], total["rto_within_max"]) == (4, 6)
    assert (total["rto_target_percent"], total["rto_max_percent"]) == (66.7, 100.0)
    # Known RPO: I1 10, I4 0, I5 45; within target: I4; within max: I1 and I4.
    assert total["rpo_average_minutes"] == 18.3  # 55 / 3
    assert (total["rpo_target_percent"], total["rpo_max_percent"]) == (33.3, 66.7)
    assert total["users_affected"] == 21850  # 1,000 + 500 + 50 + 20,000 + 300


def test_availability_merges_overlaps_clips_to_the_period_and_skips_degradations(world):
    result = figures_for()
    by_name = {a.name: a for a in result.availability}
    a, b, c = by_name["Checkout API"], by_name["Orders DB"], by_name["Search"]
    assert (a.downtime_minutes, a.outages, a.percent) == (120.0, 1, 99.863)
    assert (b.downtime_minutes, b.outages, b.percent) == (1770.0, 3, 97.984)
    assert (c.downtime_minutes, c.outages, c.percent) == (60.0, 1, 99.932)
    assert (a.verdict, b.verdict, c.verdict) == ("below target", "below minimum", "met")
    assert (a.target, a.minimum) == (Decimal("99.9"), Decimal("99.5"))
    # Worst first.
    assert [x.name for x in result.availability] == ["Orders DB", "Checkout API", "Search"]


def test_an_unrestored_outage_in_the_current_month_runs_to_now_not_to_the_month_end(world):
    # On 2026-04-30 10:00 UTC, I7 (onset 04-29 22:00) has been down 12 h = 720 min; with
    # I1's 90 and I5's 240, B has been down 1,050 min.
    scope = metrics.Scope(period=metrics.Period(MARCH, APRIL, PARIS))
    now = utc(4, 30, 10)
    down = metrics.downtime_by_service(scope, now)
    assert down[world["B"].pk] == (1050.0, 3)


def test_a_service_filter_keeps_its_incidents_and_its_availability_only(world):
    result = figures_for(service=world["A"])
    # I1, I2 and I3 list A.
    assert result.total.incidents == 3
    assert result.total.rto_average == 55.0  # (90 + 60 + 15) / 3
    assert [x.name for x in result.availability] == ["Checkout API"]


def test_a_severity_filter_narrows_the_figures_and_the_outages(world):
    result = figures_for(severity="P1")
    # I1, I2 (March), I6, I7 (April).
    assert result.total.incidents == 4
    by_name = {a.name: a for a in result.availability}
    # A: I1 and I2 merged, 09:00-11:00. B: I1 90 min + I7 1,440 min.
    assert by_name["Checkout API"].downtime_minutes == 120.0
    assert (by_name["Orders DB"].downtime_minutes, by_name["Orders DB"].outages) == (1530.0, 2)
    assert by_name["Search"].downtime_minutes == 0.0
    assert by_name["Search"].percent == 100.0


def test_empty_months_are_listed_with_zero_incidents(db):
    result = metrics.dr_metrics(
        scope=metrics.Scope(period=metrics.Period(MARCH, APRIL, PARIS)),
        profile=organisation_profile(),
        now=NOW,
    )
    assert [m.month for m in result.months] == [MARCH, APRIL]
    assert result.total.incidents == 0
    assert result.total.rto_average is None
    assert result.is_empty


# --- The page and the API show the same hand-computed figures ---------------------------------


def test_the_page_shows_the_hand_computed_figures_in_its_tables(world, client_for, auditor):
    with time_machine.travel(NOW, tick=False):
        response = client_for(auditor).get(
            "/incidents/metrics/", {"start": "2026-03", "end": "2026-04"}
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "March 2026 to April 2026" in page
    assert "Europe/Paris" in page
    # Totals: 4 of 6 restored within target (66.7 %), 1 of 3 known RPOs (33.3 %).
    assert "66.7 %" in page and "4 of 6 restored" in page
    assert "33.3 %" in page and "1 of 3 with a known RPO" in page
    # Availability, worst first, with the verdicts.
    table = page[page.index('data-testid="availability"') :]
    assert table.index("Orders DB") < table.index("Checkout API") < table.index("Search")
    for figure in ("97.984 %", "99.863 %", "99.932 %"):
        assert figure in page
    assert "Below minimum" in page and "Below target" in page and "Target met" in page
    assert page.count('<img src="data:image/svg+xml;base64,') == 3


def test_the_api_answers_the_hand_computed_figures(world, client_for, auditor):
    with time_machine.travel(NOW, tick=False):
        response = client_for(auditor).get(
            "/api/v1/incidents/metrics", {"start": "2026-03", "end": "2026-04"}
        )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["period"] == {
        "start": "2026-03",
        "end": "2026-04",
        "time_zone": "Europe/Paris",
        "starts_at": "2026-02-28T23:00:00Z",
        "ends_at": "2026-04-30T22:00:00Z",
    }
    assert data["total"]["incidents"] == 8
    assert data["total"]["rto_average_minutes"] == 77.5
    assert data["total"]["rpo_average_minutes"] == 18.3
    assert data["total"]["rto_target_percent"] == 66.7
    rows = {(r["month"], r["severity"]): r for r in data["months"]}
    assert rows[("2026-03", "P1")]["rpo_average_minutes"] == 10.0
    assert rows[("2026-03", "all")]["incidents"] == 5
    assert rows[("2026-04", "all")]["not_restored"] == 2
    assert rows[("2026-04", "P0")]["incidents"] == 1  # I5: 31 March in UTC, April in Paris
    assert [(a["name"], a["percent"], a["verdict"]) for a in data["availability"]] == [
        ("Orders DB", 97.984, "below minimum"),
        ("Checkout API", 99.863, "below target"),
        ("Search", 99.932, "met"),
    ]
    assert (data["availability_target"], data["availability_min"]) == (99.9, 99.5)


# --- Query counts: flat whatever the number of incidents -------------------------------------


def _incidents(actor, count: int) -> None:
    services = [ServiceFactory(), ServiceFactory()]
    with time_machine.travel(NOW, tick=False):
        for n in range(count):
            detected = utc(3 + n % 2, 1 + n % 28, 10)
            declare(actor, title=f"Incident {n}", severity=f"P{n % 4}",
                    type_key="partial-degradation" if n % 5 == 0 else "database-outage",
                    services=services[: 1 + n % 2], started_at=detected - dt.timedelta(minutes=5),
                    detected_at=detected,
                    restored_at=None if n % 7 == 0 else detected + dt.timedelta(minutes=30 + n),
                    rpo_actual_minutes=n if n % 3 else None, rpo_basis="logs" if n % 3 else "",
                    affected_users=10 * n)  # fmt: skip


@pytest.mark.parametrize("count", [2, 30])
def test_the_page_query_count_does_not_grow_with_incidents(
    srelead, client_for, count, django_assert_num_queries
):
    _incidents(srelead, count)
    client = client_for(srelead)
    # session, user, 2FA device, reader's profile, permissions, the organisation's profile,
    # the monthly view, the merged outages, the services down or active, the picker's services.
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(10):
        response = client.get("/incidents/metrics/", {"start": "2026-03", "end": "2026-04"})
    assert response.status_code == 200
    assert response.context["total"].incidents == count


@pytest.mark.parametrize("count", [2, 30])
def test_the_api_query_count_does_not_grow_with_incidents(
    srelead, client_for, count, django_assert_num_queries
):
    _incidents(srelead, count)
    client = client_for(srelead)
    # session, user, 2FA device, reader's profile, permissions, the organisation's profile,
    # the monthly view, the merged outages, the services.
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(9):
        response = client.get("/api/v1/incidents/metrics", {"year": "2026"})
    assert response.status_code == 200
    assert response.json()["total"]["incidents"] == count
