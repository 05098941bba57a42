"""Exactly one source per action, kept by the database, and the registry the tracker reads.

The rules live in PostgreSQL (bcp_portal.actions.constraints): the checks that wait for the
end of the transaction are made immediate here, since a test's transaction never commits.
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from bcp_portal.actions import services, sources
from bcp_portal.actions.models import Action
from bcp_portal.actions.selectors import action_list
from drills.models import DRILL_REPORT_SOURCE, DrillReport, DrillReportAction
from incidents.models import POSTMORTEM_SOURCE, PostMortemAction
from tests.actions.factories import ActionFactory, DrillReportFactory
from tests.incidents.factories import postmortem_draft

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def postmortem(sre):
    return postmortem_draft(sre)


def _check_now():
    """Run the deferred checks now, as a commit would."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_the_database_refuses_an_action_without_its_link_row():
    with pytest.raises(IntegrityError, match="has no row in"), transaction.atomic():
        Action.objects.create(title="Orphan", source_kind=DRILL_REPORT_SOURCE)
        _check_now()


def test_the_database_refuses_an_action_without_a_kind():
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(title="Nobody's", source_kind="")


def test_the_database_refuses_a_second_source_of_another_kind(postmortem):
    action = ActionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PostMortemAction.objects.create(action=action, postmortem=postmortem)


def test_the_database_refuses_a_link_row_of_the_wrong_kind():
    action = ActionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DrillReportAction.objects.create(
            action=action, drill_report=DrillReportFactory(), source_kind=POSTMORTEM_SOURCE
        )


def test_the_database_refuses_changing_a_linked_actions_kind():
    action = ActionFactory()
    action.source_kind = POSTMORTEM_SOURCE
    with pytest.raises(IntegrityError), transaction.atomic():
        action.save()
        _check_now()


def test_the_database_refuses_removing_the_link_while_the_action_stays():
    action = ActionFactory()
    with pytest.raises(IntegrityError, match="has no row in"), transaction.atomic():
        DrillReportAction.objects.filter(action=action).delete()
        _check_now()


def test_an_action_and_its_link_pass_the_checks_together(sre, postmortem):
    with transaction.atomic():
        action = services.action_create(actor=sre, title="Add a canary", source=postmortem)
        _check_now()
    assert (action.source_kind, action.source) == (POSTMORTEM_SOURCE, postmortem)
    assert list(postmortem.actions.all()) == [action]


def test_every_source_app_registered_itself():
    kinds = {source.kind for source in sources.all_sources()}
    assert kinds == {DRILL_REPORT_SOURCE, POSTMORTEM_SOURCE}
    assert sources.for_object(DrillReport()).kind == DRILL_REPORT_SOURCE
    assert sources.for_object(object()) is None


def test_the_registry_describes_a_source_for_pages_and_api():
    action = ActionFactory()
    report = action.source
    ref = sources.describe(action)
    assert (ref.kind, ref.id, ref.url) == (
        DRILL_REPORT_SOURCE,
        report.pk,
        report.get_absolute_url(),
    )
    assert report.document_id in ref.label and report.drill.title in ref.label


def test_a_link_model_must_name_its_reverse_accessor_after_its_kind():
    wrong = sources.ActionSource(
        kind="something_else",
        label="Else",
        plural="Elses",
        link_model=DrillReportAction,
        source_field="drill_report",
        describe=str,
    )
    with pytest.raises(ValueError, match="related_name='something_else_link'"):
        sources.register(wrong)


def test_a_list_of_actions_reads_of_each_source_only_what_its_label_and_link_show(sre):
    report = DrillReportFactory(summary="A long account of the drill.")
    action = ActionFactory(drill_report=report, title="Patch the replica")
    sre.has_perm("actions.view_action")  # permissions are read once per user
    with CaptureQueriesContext(connection) as queries:
        (row,) = action_list(user=sre)
        ref = sources.describe(row)
    (select,) = queries.captured_queries  # the label and link read nothing more
    assert '"drills_drillreport"."summary"' not in select["sql"]
    assert '"incidents_postmortem"."root_cause"' not in select["sql"]
    assert (row.title, ref.label) == ("Patch the replica", str(sources.describe(action).label))
    assert ref.url == report.get_absolute_url()
