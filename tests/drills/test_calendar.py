"""Drill types, schedules and calendar generation (services)."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core.dbstate import app_fully_migrated
from drills import tasks
from drills.models import Drill, DrillSchedule, DrillType
from drills.services import planning as services
from drills.services import reference
from drills.services.planning import schedule_occurrences
from drills.services.reference import REFERENCE_FILE
from tests.drills.factories import DrillFactory, DrillScheduleFactory, DrillTypeFactory

UTC = dt.UTC
REFERENCE_KEYS = {
    "database_recovery",
    "application_failover",
    "storage_recovery",
    "end_to_end_scenario",
    "tabletop_exercise",
}


@pytest.fixture
def frozen(db, time_machine):
    """Mid-December 2026, 09:00 UTC (the organisation's zone is UTC unless a test says)."""
    time_machine.move_to(dt.datetime(2026, 12, 15, 9, 0, tzinfo=UTC), tick=False)
    return time_machine


def set_organisation_zone(name: str) -> None:
    profile = organisation_profile()
    profile.time_zone = name
    profile.save()


# --- Reference data --------------------------------------------------------------------------


def test_the_reference_types_and_schedules_are_loaded_after_migrate(db):
    types = {t.key: t for t in DrillType.objects.filter(key__in=REFERENCE_KEYS)}
    assert set(types) == REFERENCE_KEYS
    assert types["database_recovery"].default_duration_minutes == 120
    assert types["database_recovery"].teams == ["SRE", "Engineering"]
    assert types["application_failover"].teams == ["SRE", "DevOps"]
    assert types["storage_recovery"].default_duration_minutes == 90
    assert types["end_to_end_scenario"].teams == ["SRE", "Engineering", "Product", "Support"]
    assert types["tabletop_exercise"].default_scenario == "Multi-region outage"
    assert types["tabletop_exercise"].default_duration_minutes == 180
    weeks = {
        s.drill_type.key: s.week_of_month
        for s in DrillSchedule.objects.filter(cadence=DrillSchedule.Cadence.MONTHLY)
    }
    assert weeks == {
        "database_recovery": 1,
        "application_failover": 2,
        "storage_recovery": 3,
        "end_to_end_scenario": 4,
    }
    tabletop = DrillSchedule.objects.get(drill_type__key="tabletop_exercise")
    assert tabletop.cadence == DrillSchedule.Cadence.QUARTERLY


def test_loading_the_reference_data_twice_creates_no_duplicates(db):
    types, schedules = DrillType.objects.count(), DrillSchedule.objects.count()
    assert reference.drill_reference_load() == {"types": 0, "schedules": 0}
    assert reference.drill_reference_load() == {"types": 0, "schedules": 0}
    assert (DrillType.objects.count(), DrillSchedule.objects.count()) == (types, schedules)


def test_a_missing_reference_type_is_created_with_its_schedules(db):
    DrillSchedule.objects.filter(drill_type__key="storage_recovery").delete()
    DrillType.objects.filter(key="storage_recovery").delete()
    assert reference.drill_reference_load() == {"types": 1, "schedules": 1}
    schedule = DrillSchedule.objects.get(drill_type__key="storage_recovery")
    assert (schedule.week_of_month, schedule.weekday, schedule.start_time) == (
        3,
        DrillSchedule.Weekday.TUESDAY,
        dt.time(10, 0),
    )
    assert schedule.drill_type.history.latest().history_user.username == "system"


def test_a_renamed_type_and_an_edited_schedule_survive_a_reload(db, srelead):
    drill_type = DrillType.objects.get(key="database_recovery")
    drill_type.name = "PostgreSQL restore"
    drill_type.save()
    schedule = drill_type.schedules.get()
    services.drill_schedule_update(
        actor=srelead, schedule=schedule, weekday=DrillSchedule.Weekday.WEDNESDAY
    )
    reference.drill_reference_load()
    drill_type.refresh_from_db()
    assert drill_type.name == "PostgreSQL restore"
    assert list(drill_type.schedules.values_list("weekday", flat=True)) == [
        DrillSchedule.Weekday.WEDNESDAY
    ]


def test_the_reference_file_names_every_weekday_it_uses_and_valid_weeks():
    data = json.loads(REFERENCE_FILE.read_text())
    for entry in data["types"]:
        for slot in entry["schedules"]:
            assert slot["weekday"] in reference.WEEKDAYS
            assert 1 <= slot["week_of_month"] <= 5


def test_the_drills_app_is_seen_as_fully_migrated_in_tests(db):
    assert app_fully_migrated("drills", "default")
    assert app_fully_migrated("compliance", "default")


# --- Occurrence rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("week", "expected"),
    [
        (1, dt.date(2027, 1, 5)),
        (2, dt.date(2027, 1, 12)),
        (3, dt.date(2027, 1, 19)),
        (4, dt.date(2027, 1, 26)),
        (5, dt.date(2027, 1, 26)),
    ],
)
def test_week_rules_land_on_the_right_tuesday_of_january_2027(week, expected):
    schedule = DrillSchedule(week_of_month=week, weekday=DrillSchedule.Weekday.TUESDAY)
    assert schedule_occurrences(schedule, dt.date(2027, 1, 1), dt.date(2027, 1, 31)) == [expected]


def test_the_last_week_rule_differs_from_the_fourth_in_a_month_with_five_tuesdays():
    march = (dt.date(2027, 3, 1), dt.date(2027, 3, 31))
    fourth = DrillSchedule(week_of_month=4, weekday=DrillSchedule.Weekday.TUESDAY)
    last = DrillSchedule(week_of_month=5, weekday=DrillSchedule.Weekday.TUESDAY)
    assert schedule_occurrences(fourth, *march) == [dt.date(2027, 3, 23)]
    assert schedule_occurrences(last, *march) == [dt.date(2027, 3, 30)]


def test_a_quarterly_schedule_lands_in_the_chosen_month_of_each_quarter():
    schedule = DrillSchedule(
        cadence=DrillSchedule.Cadence.QUARTERLY,
        month_of_quarter=3,
        week_of_month=2,
        weekday=DrillSchedule.Weekday.THURSDAY,
    )
    days = schedule_occurrences(schedule, dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert days == [
        dt.date(2027, 3, 11),
        dt.date(2027, 6, 10),
        dt.date(2027, 9, 9),
        dt.date(2027, 12, 9),
    ]
    schedule.month_of_quarter = 1
    days = schedule_occurrences(schedule, dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert [d.month for d in days] == [1, 4, 7, 10]


# --- Generation ------------------------------------------------------------------------------


def test_generating_twice_adds_nothing_the_second_time(frozen):
    first = services.drill_calendar_generate(months=3)
    # Dec 15 and 22, four Tuesdays in January and February, Mar 2 and 9, the March tabletop.
    assert first == 13
    assert services.drill_calendar_generate(months=3) == 0
    assert Drill.objects.count() == 13


def test_the_generated_tabletop_is_in_the_quarters_last_month(frozen):
    services.drill_calendar_generate(months=12)
    days = Drill.objects.filter(drill_type__key="tabletop_exercise").values_list(
        "occurrence_date", flat=True
    )
    assert sorted(days) == [
        dt.date(2027, 3, 11),
        dt.date(2027, 6, 10),
        dt.date(2027, 9, 9),
        dt.date(2027, 12, 9),
    ]


def test_generated_drills_take_the_type_defaults(frozen):
    services.drill_calendar_generate(months=1)
    drill = Drill.objects.get(occurrence_date=dt.date(2027, 1, 5))
    assert drill.drill_type.key == "database_recovery"
    assert drill.title == "Database recovery"
    assert drill.planned_duration_minutes == 120
    assert drill.participant_teams == "SRE, Engineering"
    assert drill.status == Drill.Status.PLANNED and not drill.edited_by_person


def test_generated_drills_start_at_local_time_in_the_organisations_zone(time_machine, db):
    set_organisation_zone("Europe/Dublin")
    time_machine.move_to(dt.datetime(2027, 5, 20, 9, 0, tzinfo=UTC), tick=False)
    services.drill_calendar_generate(months=1)
    june = Drill.objects.get(occurrence_date=dt.date(2027, 6, 1))
    # 10:00 in Dublin is 09:00 UTC in summer time.
    assert june.starts_at == dt.datetime(2027, 6, 1, 9, 0, tzinfo=UTC)


def test_a_moved_drill_keeps_its_edit_and_its_slot_is_not_refilled(frozen, srelead):
    services.drill_calendar_generate(months=3)
    drill = Drill.objects.get(occurrence_date=dt.date(2027, 1, 5))
    moved = dt.datetime(2027, 1, 7, 14, 0, tzinfo=UTC)
    services.drill_update(actor=srelead, drill=drill, starts_at=moved, scenario="Replica only")
    assert services.drill_calendar_generate(months=3) == 0
    drill.refresh_from_db()
    assert drill.starts_at == moved and drill.scenario == "Replica only"
    assert drill.edited_by_person
    assert Drill.objects.filter(schedule=drill.schedule, occurrence_date="2027-01-05").count() == 1


def test_a_cancelled_drill_is_not_planned_again(frozen, srelead):
    services.drill_calendar_generate(months=3)
    drill = Drill.objects.get(occurrence_date=dt.date(2027, 1, 12))
    services.drill_cancel(actor=srelead, drill=drill, reason="Change freeze")
    assert services.drill_calendar_generate(months=3) == 0
    drill.refresh_from_db()
    assert drill.status == Drill.Status.CANCELLED
    assert drill.history.latest().history_change_reason == "Change freeze"


def test_an_inactive_schedule_or_type_plans_nothing(frozen):
    for schedule in DrillSchedule.objects.exclude(drill_type__key="database_recovery"):
        schedule.is_active = False
        schedule.save()
    drill_type = DrillType.objects.get(key="database_recovery")
    drill_type.is_active = False
    drill_type.save()
    assert services.drill_calendar_generate(months=3) == 0


def test_the_generate_task_plans_the_coming_months(frozen):
    assert tasks.generate_calendar.name == "drills.generate_calendar"
    assert tasks.generate_calendar.delay().get() == 13
    assert tasks.generate_calendar.delay().get() == 0


# --- Schedules -------------------------------------------------------------------------------


def test_changing_a_schedule_moves_its_untouched_future_drills_but_not_edited_ones(frozen, srelead):
    services.drill_calendar_generate(months=3)
    schedule = DrillSchedule.objects.get(drill_type__key="database_recovery")
    edited = Drill.objects.get(schedule=schedule, occurrence_date=dt.date(2027, 1, 5))
    services.drill_update(actor=srelead, drill=edited, scenario="Kept as I wrote it")
    services.drill_schedule_update(
        actor=srelead, schedule=schedule, weekday=DrillSchedule.Weekday.THURSDAY
    )
    days = sorted(Drill.objects.filter(schedule=schedule).values_list("occurrence_date", flat=True))
    # The edited January drill stays; the February and March slots move to Thursday.
    assert days == [dt.date(2027, 1, 5), dt.date(2027, 2, 4), dt.date(2027, 3, 4)]
    edited.refresh_from_db()
    assert edited.scenario == "Kept as I wrote it"
    assert services.drill_calendar_generate(months=3) == 0


def test_a_new_start_time_moves_the_untouched_future_drills(frozen, srelead):
    services.drill_calendar_generate(months=3)
    schedule = DrillSchedule.objects.get(drill_type__key="application_failover")
    services.drill_schedule_update(actor=srelead, schedule=schedule, start_time=dt.time(15, 30))
    times = {d.starts_at.time() for d in Drill.objects.filter(schedule=schedule)}
    assert times == {dt.time(15, 30)}


def test_deactivating_a_schedule_removes_its_untouched_future_drills(frozen, srelead):
    services.drill_calendar_generate(months=3)
    schedule = DrillSchedule.objects.get(drill_type__key="storage_recovery")
    assert schedule.drills.count() == 3
    services.drill_schedule_update(actor=srelead, schedule=schedule, is_active=False)
    assert schedule.drills.count() == 0


def test_a_new_schedule_plans_its_drills_at_once(frozen, srelead):
    drill_type = DrillTypeFactory()
    schedule = services.drill_schedule_create(
        actor=srelead,
        drill_type=drill_type,
        week_of_month=5,
        weekday=DrillSchedule.Weekday.FRIDAY,
        start_time=dt.time(9, 0),
    )
    assert list(schedule.drills.values_list("occurrence_date", flat=True).order_by("pk")) == [
        dt.date(2026, 12, 25),
        dt.date(2027, 1, 29),
        dt.date(2027, 2, 26),
    ]


def test_an_sre_cannot_change_a_schedule(sre):
    schedule = DrillScheduleFactory()
    with pytest.raises(PermissionDenied):
        services.drill_schedule_update(actor=sre, schedule=schedule, week_of_month=2)


def test_a_schedule_week_outside_one_to_five_is_refused(srelead):
    schedule = DrillScheduleFactory()
    with pytest.raises(ValidationError) as exc:
        services.drill_schedule_update(actor=srelead, schedule=schedule, week_of_month=6)
    assert "week_of_month" in exc.value.message_dict


# --- Drills ----------------------------------------------------------------------------------


def test_an_sre_cannot_edit_or_plan_a_drill(sre):
    drill = DrillFactory()
    with pytest.raises(PermissionDenied):
        services.drill_update(actor=sre, drill=drill, scenario="Nope")
    with pytest.raises(PermissionDenied):
        services.drill_create(actor=sre, drill_type=drill.drill_type, starts_at=drill.starts_at)


def test_an_edit_is_recorded_in_history_with_the_actor(srelead, sre):
    drill = DrillFactory()
    services.drill_update(actor=srelead, drill=drill, participants=[sre], title="Renamed")
    drill.refresh_from_db()
    assert drill.edited_by_person
    assert list(drill.participants.all()) == [sre]
    latest = drill.history.latest()
    assert latest.history_user == srelead and latest.title == "Renamed"


def test_an_update_with_no_change_leaves_the_drill_generated(srelead):
    drill = DrillFactory()
    services.drill_update(actor=srelead, drill=drill, title=drill.title, participants=[])
    drill.refresh_from_db()
    assert not drill.edited_by_person
    assert drill.history.count() == 1


def test_only_a_planned_drill_can_be_changed(srelead):
    drill = DrillFactory(status=Drill.Status.CANCELLED)
    with pytest.raises(ValidationError):
        services.drill_update(actor=srelead, drill=drill, title="Again")
    with pytest.raises(ValidationError):
        services.drill_cancel(actor=srelead, drill=drill)


def test_an_ad_hoc_drill_takes_the_type_defaults(srelead, sre):
    drill_type = DrillType.objects.get(key="end_to_end_scenario")
    starts = dt.datetime(2027, 2, 10, 13, 0, tzinfo=UTC)
    drill = services.drill_create(
        actor=srelead, drill_type=drill_type, starts_at=starts, participants=[sre]
    )
    assert drill.schedule is None and drill.occurrence_date is None
    assert (drill.title, drill.planned_duration_minutes) == ("End-to-end scenario", 240)
    assert drill.ends_at == starts + dt.timedelta(hours=4)
    assert list(drill.participants.all()) == [sre]
