"""The smallest valid chain an action needs (DrillType -> Drill -> DrillReport), and actions.

Kept here rather than in a shared drills factory module so the action tracker's tests do
not depend on the drill work's own factories.
"""

from datetime import UTC, datetime

import factory
from django.db import transaction

from bcp_portal.actions.models import Action
from drills.models import DRILL_REPORT_SOURCE, Drill, DrillReport, DrillReportAction, DrillType
from tests.factories import UserFactory


class PersonFactory(UserFactory):
    """A user who never logs in: no password to hash, so thirty of them cost nothing."""

    password = factory.PostGenerationMethodCall("set_password", None)


class DrillTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DrillType
        django_get_or_create = ("key",)

    key = "database-recovery"
    name = "Database recovery"


class DrillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Drill

    drill_type = factory.SubFactory(DrillTypeFactory)
    title = factory.Sequence(lambda n: f"Database recovery drill {n}")
    starts_at = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
    planned_duration_minutes = 60


class DrillReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DrillReport

    drill = factory.SubFactory(DrillFactory)
    created_by = factory.SubFactory(PersonFactory)


class ActionFactory(factory.django.DjangoModelFactory):
    """A valid open action from a drill report; pass `owner=` and `due_date=` as needed."""

    class Meta:
        model = Action

    title = factory.Sequence(lambda n: f"Improve the restore runbook, step {n}")
    drill_report = factory.SubFactory(DrillReportFactory)
    priority = Action.Priority.MEDIUM
    source_kind = DRILL_REPORT_SOURCE

    @classmethod
    def _create(cls, model_class, *args, drill_report=None, **kwargs):
        """The action and its link row together, as `action_create` writes them."""
        with transaction.atomic():
            action = model_class.objects.create(*args, **kwargs)
            DrillReportAction.objects.create(action=action, drill_report=drill_report)
        return action
