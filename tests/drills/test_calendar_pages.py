"""Drill calendar pages: month view, list, detail, edit, schedules, dashboard panel."""

import datetime as dt

import pytest
from django.urls import reverse

from drills.models import Drill, DrillReport, DrillSchedule, DrillType
from tests.dashboard import dashboard_page
from tests.drills.factories import DrillFactory, DrillScheduleFactory

UTC = dt.UTC


@pytest.fixture
def frozen(db, time_machine):
    time_machine.move_to(dt.datetime(2027, 1, 10, 12, 0, tzinfo=UTC), tick=False)
    return time_machine


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def submit_report(drill: Drill, user, result: str = "pass") -> DrillReport:
    report = DrillReport.objects.create(
        drill=drill, created_by=user, status=DrillReport.Status.SUBMITTED, overall_result=result
    )
    drill.status = Drill.Status.DONE
    drill.save()
    return report


# --- Month view ------------------------------------------------------------------------------


def test_the_month_view_shows_the_months_drills_colour_coded(frozen, client_for, sre):
    DrillFactory(title="Failover on the 12th", starts_at=at(2027, 1, 12, 10))
    DrillFactory(title="Restore that slipped", starts_at=at(2027, 1, 5, 10))
    DrillFactory(title="February drill", starts_at=at(2027, 2, 9, 10))
    page = client_for(sre).get("/drills/", {"month": "2027-01"}).content.decode()
    assert "January 2027" in page
    assert "Failover on the 12th" in page and "February drill" not in page
    assert 'class="drill-chip chip-planned"' in page
    assert 'class="drill-chip chip-overdue"' in page  # the 5th, planned and two days past
    assert "?month=2026-12" in page and "?month=2027-02" in page


def test_a_chip_escapes_the_title_and_type_it_shows(frozen, client_for, sre):
    DrillFactory(title='<img src=x onerror="alert(1)">', starts_at=at(2027, 1, 12, 10))
    page = client_for(sre).get("/drills/", {"month": "2027-01"}).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page


def test_the_month_view_defaults_to_this_month_in_the_users_zone(frozen, client_for, sre):
    response = client_for(sre).get("/drills/")
    assert response.status_code == 200
    assert "January 2027" in response.content.decode()


def test_a_malformed_month_shows_this_month_under_an_error_on_the_month_field(
    frozen, client_for, sre
):
    response = client_for(sre).get("/drills/", {"month": "not-a-month"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "January 2027" in page
    assert 'id="month-error"' in page and "Give a month as YYYY-MM" in page
    assert 'value="not-a-month"' in page


def test_the_month_view_places_a_drill_on_the_viewers_local_day(frozen, client_for, sre):
    sre.profile.time_zone = "Pacific/Auckland"
    sre.profile.save()
    DrillFactory(title="Late UTC drill", starts_at=at(2027, 1, 19, 20))
    response = client_for(sre).get("/drills/", {"month": "2027-01"})
    weeks = response.context["weeks"]
    days = {cell.day: [d.title for d in cell.drills] for week in weeks for cell in week}
    assert days[dt.date(2027, 1, 20)] == ["Late UTC drill"]  # 09:00 next morning there


@pytest.mark.parametrize("rows", [2, 30])
def test_the_month_view_query_count_does_not_grow_with_rows(
    frozen, client_for, sre, rows, django_assert_num_queries
):
    for n in range(rows):
        DrillFactory(starts_at=at(2027, 1, 1 + n % 28, 10), participants=[sre])
    client = client_for(sre)
    client.get("/drills/")
    # session, user, 2FA device, profile, permissions (one query), drills (the grid shows
    # no participants)
    with django_assert_num_queries(6):
        assert client.get("/drills/").status_code == 200


# --- List ------------------------------------------------------------------------------------


def test_the_list_filters_by_type_status_quarter_participant_and_result(
    frozen, client_for, sre, srelead
):
    restore = DrillType.objects.get(key="database_recovery")
    failover = DrillType.objects.get(key="application_failover")
    mine = DrillFactory(title="My restore", drill_type=restore, participants=[sre])
    DrillFactory(title="Their failover", drill_type=failover, starts_at=at(2027, 4, 13, 10))
    passed = DrillFactory(title="Passed restore", drill_type=restore, starts_at=at(2026, 12, 1))
    submit_report(passed, srelead)
    late = DrillFactory(title="Late failover", drill_type=failover, starts_at=at(2027, 1, 2))
    client = client_for(sre)

    def titles(**params) -> set[str]:
        response = client.get("/drills/list/", params)
        return {d.title for d in response.context["page"].object_list}

    assert titles(type="database_recovery") == {"My restore", "Passed restore"}
    assert titles(status="overdue") == {late.title}
    assert titles(status="done") == {"Passed restore"}
    assert titles(quarter="2027-Q2") == {"Their failover"}
    assert titles(quarter="2026-Q4") == {"Passed restore"}
    assert titles(participant="me") == {mine.title}
    assert titles(participant=str(sre.pk)) == {mine.title}
    assert titles(result="pass") == {"Passed restore"}
    assert titles(result="fail") == set()
    assert titles(q="failover") == {"Their failover", "Late failover"}


def test_the_list_counts_planned_versus_done_per_type(frozen, client_for, sre, srelead):
    restore = DrillType.objects.get(key="database_recovery")
    DrillFactory.create_batch(2, drill_type=restore)
    submit_report(DrillFactory(drill_type=restore, starts_at=at(2026, 12, 1)), srelead)
    response = client_for(sre).get("/drills/list/")
    counts = {row["key"]: row for row in response.context["counts"]}
    assert (counts["database_recovery"]["planned"], counts["database_recovery"]["done"]) == (2, 1)
    assert 'data-testid="drill-counts"' in response.content.decode()


@pytest.mark.parametrize("path", ["/drills/", "/drills/list/"])
def test_the_month_view_and_the_list_offer_plan_a_drill_to_the_sre_lead_only(
    frozen, client_for, srelead, sre, path
):
    plan = '<a class="btn btn-primary" href="/drills/new/">Plan a drill</a>'
    assert plan in client_for(srelead).get(path).content.decode()
    assert plan not in client_for(sre).get(path).content.decode()


def test_the_empty_list_says_so(frozen, client_for, sre):
    page = client_for(sre).get("/drills/list/").content.decode()
    assert "No drills are planned yet." in page


@pytest.mark.parametrize("rows", [2, 30])
def test_the_list_page_query_count_does_not_grow_with_rows(
    frozen, client_for, sre, srelead, rows, django_assert_num_queries
):
    for n in range(rows):
        drill = DrillFactory(starts_at=at(2026, 12, 1) + dt.timedelta(days=n), participants=[sre])
        if n % 2:
            submit_report(drill, srelead)
    client = client_for(sre)
    client.get("/drills/list/")
    # session, user, 2FA device, profile, permissions (one query), counts per type, page
    # count, page rows, their participants, the type, quarter and participant filter options
    with django_assert_num_queries(11):
        assert client.get("/drills/list/").status_code == 200


# --- Detail ----------------------------------------------------------------------------------


def test_the_detail_shows_time_in_the_users_zone_and_offers_the_report(frozen, client_for, sre):
    sre.profile.time_zone = "America/New_York"
    sre.profile.save()
    drill = DrillFactory(title="Restore", starts_at=at(2027, 1, 12, 15), participants=[sre])
    page = client_for(sre).get(drill.get_absolute_url()).content.decode()
    assert "Tuesday 2027-01-12 10:00 EST" in page
    assert reverse("drills:report-new", kwargs={"drill_pk": drill.pk}) in page
    assert "File report" in page


def test_the_detail_of_an_overdue_drill_says_so(frozen, client_for, sre):
    drill = DrillFactory(starts_at=at(2027, 1, 2, 10))
    page = client_for(sre).get(drill.get_absolute_url()).content.decode()
    assert "Overdue" in page and "is overdue" in page


def test_the_detail_links_a_filed_report(frozen, client_for, sre, srelead):
    drill = DrillFactory(starts_at=at(2026, 12, 1, 10))
    report = submit_report(drill, srelead, result="fail")
    page = client_for(sre).get(drill.get_absolute_url()).content.decode()
    assert reverse("drills:report-detail", args=[report.pk]) in page
    assert "File report" not in page and "FAIL" in page


def test_an_auditor_sees_no_file_report_button(frozen, client_for, auditor):
    drill = DrillFactory()
    page = client_for(auditor).get(drill.get_absolute_url()).content.decode()
    assert "File report" not in page


def test_an_unknown_drill_is_a_404(frozen, client_for, sre):
    assert client_for(sre).get("/drills/999999/").status_code == 404


# --- Edit, plan, cancel ----------------------------------------------------------------------


def test_the_sre_lead_moves_a_drill_and_it_is_marked_edited(frozen, client_for, srelead, sre):
    drill = DrillFactory(starts_at=at(2027, 1, 20, 10))
    response = client_for(srelead).post(
        f"/drills/{drill.pk}/edit/",
        {
            "title": drill.title,
            "starts_at": "2027-01-21T14:30",
            "planned_duration_minutes": "90",
            "participants": [str(sre.pk)],
            "participant_teams": "SRE",
            "scenario": "Moved to Thursday",
        },
    )
    assert response.status_code == 302
    drill.refresh_from_db()
    assert drill.starts_at == at(2027, 1, 21, 14, 30)
    assert drill.edited_by_person and list(drill.participants.all()) == [sre]
    assert drill.history.latest().history_source == "web"


def test_a_rejected_drill_form_keeps_what_was_typed(frozen, client_for, srelead):
    drill = DrillFactory(starts_at=at(2027, 1, 20, 10), scenario="Original")
    response = client_for(srelead).post(
        f"/drills/{drill.pk}/edit/",
        {
            "title": "Half-typed title",
            "starts_at": "2027-01-21T14:30",
            "planned_duration_minutes": "0",
            "scenario": "keep me",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "nothing you typed has been lost" in page
    assert 'value="Half-typed title"' in page and "keep me" in page
    assert 'value="2027-01-21T14:30"' in page
    drill.refresh_from_db()
    assert drill.scenario == "Original" and not drill.edited_by_person


def test_an_sre_cannot_edit_a_drill(frozen, client_for, sre):
    drill = DrillFactory()
    assert client_for(sre).get(f"/drills/{drill.pk}/edit/").status_code == 403
    assert client_for(sre).post(f"/drills/{drill.pk}/cancel/").status_code == 403


def test_the_sre_lead_plans_an_ad_hoc_drill(frozen, client_for, srelead):
    drill_type = DrillType.objects.get(key="storage_recovery")
    response = client_for(srelead).post(
        "/drills/new/",
        {"drill_type": str(drill_type.pk), "starts_at": "2027-02-03T09:00"},
    )
    drill = Drill.objects.get(drill_type=drill_type, schedule__isnull=True)
    assert response["Location"] == drill.get_absolute_url()
    assert (drill.title, drill.planned_duration_minutes) == ("Storage recovery", 90)


def test_the_sre_lead_cancels_a_drill_with_a_reason(frozen, client_for, srelead):
    drill = DrillFactory()
    client_for(srelead).post(f"/drills/{drill.pk}/cancel/", {"reason": "Freeze"})
    drill.refresh_from_db()
    assert drill.status == Drill.Status.CANCELLED
    assert drill.history.latest().history_change_reason == "Freeze"


# --- Schedules -------------------------------------------------------------------------------


def test_an_sre_sees_the_schedules_but_cannot_edit_them(frozen, client_for, sre):
    schedule = DrillSchedule.objects.get(drill_type__key="database_recovery")
    client = client_for(sre)
    page = client.get("/drills/schedules/").content.decode()
    assert "Database recovery" in page and f"/drills/schedules/{schedule.pk}/edit/" not in page
    assert client.get(f"/drills/schedules/{schedule.pk}/edit/").status_code == 403
    assert client.post(f"/drills/schedules/{schedule.pk}/edit/", {}).status_code == 403
    assert client.get("/drills/schedules/new/").status_code == 403


def test_the_sre_lead_edits_a_schedule(frozen, client_for, srelead):
    schedule = DrillSchedule.objects.get(drill_type__key="database_recovery")
    client = client_for(srelead)
    assert client.get(f"/drills/schedules/{schedule.pk}/edit/").status_code == 200
    response = client.post(
        f"/drills/schedules/{schedule.pk}/edit/",
        {
            "drill_type": str(schedule.drill_type_id),
            "cadence": "monthly",
            "week_of_month": "5",
            "weekday": str(DrillSchedule.Weekday.WEDNESDAY),
            "month_of_quarter": "3",
            "start_time": "11:00",
            "duration_minutes": "",
            "scenario": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.week_of_month, schedule.weekday) == (5, DrillSchedule.Weekday.WEDNESDAY)
    assert schedule.history.latest().history_user == srelead
    # Its drills were planned for the new rule straight away: the last Wednesday.
    assert schedule.drills.filter(occurrence_date=dt.date(2027, 1, 27)).exists()


def test_a_rejected_schedule_form_keeps_what_was_typed(frozen, client_for, srelead):
    schedule = DrillScheduleFactory(scenario="Before")
    response = client_for(srelead).post(
        f"/drills/schedules/{schedule.pk}/edit/",
        {
            "drill_type": str(schedule.drill_type_id),
            "cadence": "monthly",
            "week_of_month": "7",
            "weekday": "1",
            "month_of_quarter": "3",
            "start_time": "10:00",
            "scenario": "typed scenario",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "typed scenario" in page
    schedule.refresh_from_db()
    assert schedule.scenario == "Before"


# --- Dashboard -------------------------------------------------------------------------------


def test_the_dashboard_shows_my_due_and_overdue_drills(frozen, client_for, sre, srelead):
    DrillFactory(title="Due for me", starts_at=at(2027, 1, 15, 10), participants=[sre])
    DrillFactory(title="Due for the lead", starts_at=at(2027, 1, 15, 10), participants=[srelead])
    DrillFactory(title="Far away", starts_at=at(2027, 3, 15, 10), participants=[sre])
    DrillFactory(title="My overdue", starts_at=at(2027, 1, 2, 10), participants=[sre])
    DrillFactory(title="Their overdue", starts_at=at(2027, 1, 2, 10), participants=[srelead])
    page = dashboard_page(client_for(sre))
    assert "My drills" in page
    assert "Due for me" in page and "My overdue" in page
    assert "Due for the lead" not in page and "Far away" not in page
    assert "Their overdue" not in page
    lead_page = dashboard_page(client_for(srelead))
    assert "My overdue" in lead_page and "Their overdue" in lead_page


def test_an_unassigned_drill_is_due_for_the_sre_role(frozen, client_for, personas):
    DrillFactory(title="Nobody assigned", starts_at=at(2027, 1, 15, 10))
    assert "Nobody assigned" in dashboard_page(client_for(personas["sre"]))
    assert "Nobody assigned" not in dashboard_page(client_for(personas["cto"]))


def test_someone_without_a_role_gets_no_drills_panel(frozen, client_for, outsider):
    assert "My drills" not in dashboard_page(client_for(outsider))


def test_the_plan_page_starts_on_the_day_chosen_in_the_month_view(frozen, client_for, srelead):
    client = client_for(srelead)
    month = client.get("/drills/", {"month": "2027-02"}).content.decode()
    assert "/drills/new/?date=2027-02-03" in month
    page = client.get("/drills/new/", {"date": "2027-02-03"}).content.decode()
    assert 'value="2027-02-03T10:00"' in page
    assert client.get("/drills/new/", {"date": "nonsense"}).status_code == 200


def test_the_dashboard_lists_the_latest_overdue_drills_and_links_to_all(
    frozen, client_for, srelead
):
    for n in range(10):
        DrillFactory(title=f"Overdue {n}", starts_at=at(2026, 12, 1 + n, 10))
    submit_report(DrillFactory(title="Reported", starts_at=at(2026, 12, 20, 10)), srelead)
    client = client_for(srelead)
    page = dashboard_page(client)
    assert "Overdue, no report: 10" in page
    assert "Overdue 9" in page and "Overdue 0" not in page and "Reported" not in page
    assert "/drills/list/?status=overdue" in page
    # The count is the one the list it links to shows.
    listed = client.get("/drills/list/", {"status": "overdue"}).context["page"]
    assert listed.paginator.count == 10
