"""Factories for drill reports (the calendar factories live in tests/drills/factories.py)."""

import datetime as dt

import factory
from django.utils import timezone

from drills.models import Drill, DrillReport, DrillType, RecoveryStep
from tests.factories import UserFactory


class ReportDrillTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DrillType
        django_get_or_create = ("key",)

    key = "database_recovery"
    name = "Database recovery"
    default_duration_minutes = 120
    participant_teams = "SRE, Engineering"


class ReportDrillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Drill

    drill_type = factory.SubFactory(ReportDrillTypeFactory)
    title = factory.Sequence(lambda n: f"Database recovery drill {n}")
    scenario = "Primary database lost; restore from the last full backup plus WAL."
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    planned_duration_minutes = 120


class DrillReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DrillReport

    drill = factory.SubFactory(ReportDrillFactory)
    created_by = factory.SubFactory(UserFactory)
    drill_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
    scenario = "Primary database lost."


class RecoveryStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecoveryStep

    report = factory.SubFactory(DrillReportFactory)
    order = factory.Sequence(lambda n: n + 1)
    description = factory.Sequence(lambda n: f"Step number {n}")
    duration_minutes = 10
    result = "pass"
