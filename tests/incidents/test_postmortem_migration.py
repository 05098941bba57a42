"""The migration that links post-mortems to incidents, run forward on rows written before it."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("incidents", "0006_oncall_escalation")]
AFTER = [("incidents", "0007_postmortems_and_communications")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_each_older_post_mortem_gets_an_incident_made_from_its_reference_title_and_date():
    old_apps = _migrate(BEFORE)
    try:
        PostMortem = old_apps.get_model("incidents", "PostMortem")
        Incident = old_apps.get_model("incidents", "Incident")
        IncidentType = old_apps.get_model("incidents", "IncidentType")
        other = IncidentType.objects.get_or_create(key="other", defaults={"name": "Other"})[0]
        # An incident already holds INC-2026-0007: the post-mortem naming it gets the year's
        # next number (after INC-2026-0042, which the first one kept).
        Incident.objects.create(
            reference="INC-2026-0007",
            title="Taken",
            incident_type=other,
            detected_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        )
        free = PostMortem.objects.create(
            incident_reference="INC-2026-0042",
            title="Storage outage",
            incident_date=dt.date(2026, 11, 1),
            duration_minutes=95,
            lessons_learned="Test the restore monthly.",
            status="published",
        )
        taken = PostMortem.objects.create(
            incident_reference="INC-2026-0007",
            title="Payments down",
            incident_date=dt.date(2026, 4, 2),
        )

        new_apps = _migrate(AFTER)

        PostMortem = new_apps.get_model("incidents", "PostMortem")
        first = PostMortem.objects.select_related("incident__incident_type").get(pk=free.pk)
        incident = first.incident
        assert (incident.reference, incident.title, incident.status) == (
            "INC-2026-0042",
            "Storage outage",
            "closed",
        )
        assert incident.incident_type.key == "other"
        assert incident.detected_at == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        assert incident.restored_at - incident.detected_at == dt.timedelta(minutes=95)
        assert incident.closed_at == incident.restored_at
        assert first.status == "published" and first.published_at is not None
        lesson = first.lessons.get()
        assert (lesson.category, lesson.text) == ("other", "Test the restore monthly.")

        second = PostMortem.objects.select_related("incident").get(pk=taken.pk)
        assert second.incident.reference == "INC-2026-0043"
        assert "INC-2026-0007" in second.incident.description
        assert second.incident.timeline.filter(event__contains="INC-2026-0007").exists()
        assert not any(f.name == "incident_reference" for f in PostMortem._meta.get_fields())
    finally:
        _migrate(executor_leaf_nodes())


def executor_leaf_nodes():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
