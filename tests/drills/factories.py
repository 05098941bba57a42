"""Factories for the drill calendar (report factories live in tests/drills/report_factories.py).

The reference types and schedules are loaded after migrate, so tests that need their own
types use keys of their own (`test-type-N`) and never collide with them.
"""

import datetime as dt

import factory
from django.utils import timezone

from drills.models import CalendarFeedToken, Drill, DrillSchedule, DrillType


class DrillTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DrillType
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"test-type-{n}")
    name = factory.Sequence(lambda n: f"Test drill type {n}")
    default_duration_minutes = 60
    participant_teams = "SRE, Engineering"
    default_scenario = "Primary database lost."


class DrillScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DrillSchedule

    drill_type = factory.SubFactory(DrillTypeFactory)
    cadence = DrillSchedule.Cadence.MONTHLY
    week_of_month = 1
    weekday = DrillSchedule.Weekday.TUESDAY
    month_of_quarter = 3
    start_time = dt.time(10, 0)


class DrillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Drill
        skip_postgeneration_save = True

    drill_type = factory.SubFactory(DrillTypeFactory)
    title = factory.Sequence(lambda n: f"Drill {n}")
    scenario = "Restore the primary database from the last backup."
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))
    planned_duration_minutes = 60
    participant_teams = "SRE"

    @factory.post_generation
    def participants(self, create, extracted, **kwargs):
        if create and extracted:
            self.participants.set(extracted)


class CalendarFeedTokenFactory(factory.django.DjangoModelFactory):
    """Pass `raw=` to know the token; the row stores only its hash."""

    class Meta:
        model = CalendarFeedToken
        exclude = ("raw",)

    raw = factory.LazyFunction(CalendarFeedToken.new_token)
    user = factory.SubFactory("tests.factories.UserFactory")
    token_hash = factory.LazyAttribute(lambda o: CalendarFeedToken.hash(o.raw))
    prefix = factory.LazyAttribute(lambda o: o.raw[:8])
    scope = CalendarFeedToken.Scope.MINE
