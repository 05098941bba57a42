import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bcp_portal.actions.models import Action
from drills.models import Drill, DrillReport
from drills.services.reports import (
    ReportData,
    drill_report_problems,
    drill_report_revise,
    drill_report_save,
    drill_report_start,
    drill_report_submit,
)
from tests.drills.report_factories import ReportDrillFactory
from tests.factories import ServiceFactory


def complete_data(owner, services, steps=None) -> ReportData:
    return ReportData(
        fields={
            "drill_date": dt.date(2026, 11, 3),
            "scenario": "Primary database lost.",
            "actual_duration_minutes": 95,
            "rto_actual_minutes": 80,
            "rpo_actual_minutes": 20,
            "overall_result": "pass",
            "summary": "Recovered within target.",
        },
        services=services,
        participants=[owner],
        steps=steps
        or [
            {"description": "Declare the drill", "duration_minutes": 5, "result": "pass"},
            {
                "description": "Restore the last full backup",
                "duration_minutes": 60,
                "result": "pass",
            },
        ],
        issues=[{"description": "Runbook link was stale", "severity": "low"}],
        actions=[
            {
                "title": "Fix the runbook link",
                "owner": owner,
                "due_date": dt.date(2026, 12, 1),
                "priority": "low",
            }
        ],
    )


@pytest.fixture
def drill(db):
    return ReportDrillFactory()


def test_starting_a_report_prefills_it_from_the_drill(sre, drill):
    report = drill_report_start(actor=sre, drill=drill)
    assert report.status == DrillReport.Status.DRAFT
    assert report.scenario == drill.scenario
    assert report.planned_duration_minutes == drill.planned_duration_minutes
    assert drill_report_start(actor=sre, drill=drill) == report


def test_targets_are_the_strictest_of_the_services_exercised(sre, drill):
    fast = ServiceFactory(rto_target_minutes=60, rpo_target_minutes=30)
    slow = ServiceFactory(rto_target_minutes=240, rpo_target_minutes=15)
    report = drill_report_start(actor=sre, drill=drill)
    drill_report_save(actor=sre, report=report, data=ReportData(services=[fast, slow]))
    report.refresh_from_db()
    assert (report.rto_target_minutes, report.rpo_target_minutes) == (60, 15)


@pytest.mark.parametrize(("actual", "verdict"), [(59, "met"), (60, "met"), (61, "missed")])
def test_the_rto_verdict_is_computed_against_the_target(sre, drill, actual, verdict):
    service = ServiceFactory(rto_target_minutes=60)
    report = drill_report_start(actor=sre, drill=drill)
    drill_report_save(
        actor=sre,
        report=report,
        data=ReportData(services=[service], fields={"rto_actual_minutes": actual}),
    )
    report.refresh_from_db()
    assert report.rto_verdict == verdict


def test_an_incomplete_report_cannot_be_submitted_and_says_what_is_missing(sre, drill):
    report = drill_report_start(actor=sre, drill=drill)
    with pytest.raises(ValidationError) as exc:
        drill_report_submit(actor=sre, report=report)
    problems = exc.value.message_dict
    assert {"services", "overall_result", "steps", "rto_actual_minutes"} <= set(problems)
    report.refresh_from_db()
    assert report.status == DrillReport.Status.DRAFT


def test_a_step_without_a_result_blocks_submission_and_is_named(sre, drill):
    report = drill_report_start(actor=sre, drill=drill)
    data = complete_data(
        sre,
        [ServiceFactory()],
        steps=[
            {"description": "Restore", "duration_minutes": 10, "result": "pass"},
            {"description": "Verify", "duration_minutes": 10, "result": ""},
        ],
    )
    report = drill_report_save(actor=sre, report=report, data=data)
    assert drill_report_problems(report) == {"steps": ["Step 2: mark it PASS or FAIL."]}


def test_submitting_locks_the_report_and_marks_the_drill_done(sre, drill):
    report = drill_report_start(actor=sre, drill=drill)
    drill_report_save(actor=sre, report=report, data=complete_data(sre, [ServiceFactory()]))
    drill_report_submit(actor=sre, report=report)
    report.refresh_from_db()
    drill.refresh_from_db()
    assert report.status == DrillReport.Status.SUBMITTED and report.submitted_by == sre
    assert drill.status == Drill.Status.DONE
    with pytest.raises(ValidationError, match="locked"):
        drill_report_save(actor=sre, report=report, data=ReportData(fields={"summary": "x"}))


def test_a_correction_opens_a_new_revision_and_keeps_the_old_text_in_history(sre, drill):
    report = drill_report_start(actor=sre, drill=drill)
    drill_report_save(actor=sre, report=report, data=complete_data(sre, [ServiceFactory()]))
    drill_report_submit(actor=sre, report=report)
    drill_report_revise(actor=sre, report=report, reason="RPO was misread")
    drill_report_save(actor=sre, report=report, data=ReportData(fields={"rpo_actual_minutes": 45}))
    drill_report_submit(actor=sre, report=report)
    report.refresh_from_db()
    assert report.revision == 2 and report.is_locked
    submitted_rows = report.history.filter(status="submitted").order_by("history_date")
    assert [row.rpo_actual_minutes for row in submitted_rows] == [20, 45]
    assert [row.revision for row in submitted_rows] == [1, 2]
    revision_row = report.history.filter(revision=2).earliest("history_date")
    assert revision_row.history_change_reason == "Revision 2: RPO was misread"
    assert revision_row.history_user == sre


def test_a_revision_needs_a_reason(sre, drill):
    report = drill_report_start(actor=sre, drill=drill)
    drill_report_save(actor=sre, report=report, data=complete_data(sre, [ServiceFactory()]))
    drill_report_submit(actor=sre, report=report)
    with pytest.raises(ValidationError) as exc:
        drill_report_revise(actor=sre, report=report, reason="  ")
    assert "reason" in exc.value.message_dict


def test_steps_keep_the_order_given_and_removed_steps_go(sre, drill):
    report = drill_report_start(actor=sre, drill=drill)
    drill_report_save(
        actor=sre,
        report=report,
        data=ReportData(steps=[{"description": "A"}, {"description": "B"}, {"description": "C"}]),
    )
    a, b, c = report.steps.all()
    drill_report_save(
        actor=sre,
        report=report,
        data=ReportData(steps=[{"id": c.pk, "description": "C"}, {"id": a.pk, "description": "A"}]),
    )
    assert [(s.order, s.description) for s in report.steps.all()] == [(1, "C"), (2, "A")]
    assert b.history.filter(history_type="-").exists()


def test_actions_go_to_the_tracker_on_submission_and_an_omitted_one_is_cancelled_not_deleted(
    sre, drill
):
    report = drill_report_start(actor=sre, drill=drill)
    report = drill_report_save(
        actor=sre, report=report, data=complete_data(sre, [ServiceFactory()])
    )
    action = Action.objects.get(drill_report_link__drill_report=report)
    assert action.status == Action.Status.PROPOSED
    drill_report_submit(actor=sre, report=report)
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN
    report = drill_report_revise(actor=sre, report=report, reason="Action not needed")
    drill_report_save(actor=sre, report=report, data=ReportData(actions=[]))
    action.refresh_from_db()
    assert action.status == Action.Status.CANCELLED


def test_the_author_of_a_draft_shapes_a_proposal_owned_by_someone_else(sre, srelead, drill):
    report = drill_report_start(actor=sre, drill=drill)
    due = dt.date(2027, 1, 5)
    report = drill_report_save(
        actor=sre,
        report=report,
        data=ReportData(actions=[{"title": "Lead's action", "owner": srelead, "due_date": due}]),
    )
    action = report.actions.get()
    row = {"id": action.pk, "title": "Renamed", "owner": srelead, "due_date": due}
    drill_report_save(actor=sre, report=report, data=ReportData(actions=[row]))
    action.refresh_from_db()
    assert (action.title, action.status) == ("Renamed", Action.Status.PROPOSED)


def test_an_action_without_owner_blocks_submission(sre, drill):
    report = drill_report_start(actor=sre, drill=drill)
    data = complete_data(sre, [ServiceFactory()])
    data.actions = [{"title": "Someone should fix it"}]
    report = drill_report_save(actor=sre, report=report, data=data)
    assert "actions" in drill_report_problems(report)


def test_an_auditor_cannot_start_or_change_a_report(auditor, sre, drill):
    with pytest.raises(PermissionDenied):
        drill_report_start(actor=auditor, drill=drill)
    report = drill_report_start(actor=sre, drill=drill)
    with pytest.raises(PermissionDenied):
        drill_report_save(actor=auditor, report=report, data=ReportData(fields={"summary": "x"}))


def test_a_step_that_ends_before_it_starts_is_refused(sre, drill):
    report = drill_report_start(actor=sre, drill=drill)
    start = dt.datetime(2026, 11, 3, 10, 0, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as exc:
        drill_report_save(
            actor=sre,
            report=report,
            data=ReportData(
                steps=[
                    {
                        "description": "Backwards",
                        "started_at": start,
                        "ended_at": start - dt.timedelta(minutes=5),
                    }
                ]
            ),
        )
    assert exc.value.message_dict["steps"] == ["Step 1: The step cannot end before it started."]


def test_an_unchanged_action_owned_by_someone_else_does_not_block_saving(sre, srelead, drill):
    report = drill_report_start(actor=sre, drill=drill)
    report = drill_report_save(
        actor=sre,
        report=report,
        data=ReportData(
            actions=[{"title": "Lead's action", "owner": srelead, "due_date": dt.date(2027, 1, 5)}]
        ),
    )
    action = report.actions.get()
    rows = [
        {
            "id": action.pk,
            "title": "Lead's action",
            "owner": srelead,
            "due_date": dt.date(2027, 1, 5),
            "priority": action.priority,
        }
    ]
    report = drill_report_save(
        actor=sre, report=report, data=ReportData(fields={"summary": "Edited"}, actions=rows)
    )
    assert report.summary == "Edited"


def test_changing_someone_elses_live_action_from_a_report_is_an_error_on_the_actions(
    sre, srelead, drill
):
    report = drill_report_start(actor=sre, drill=drill)
    data = complete_data(sre, [ServiceFactory()])
    data.actions = [{"title": "Lead's action", "owner": srelead, "due_date": dt.date(2027, 1, 5)}]
    report = drill_report_save(actor=sre, report=report, data=data)
    report = drill_report_submit(actor=sre, report=report)
    report = drill_report_revise(actor=sre, report=report, reason="Rename the action")
    action = report.actions.get()
    with pytest.raises(ValidationError) as exc:
        drill_report_save(
            actor=sre,
            report=report,
            data=ReportData(
                actions=[
                    {
                        "id": action.pk,
                        "title": "Renamed",
                        "owner": srelead,
                        "due_date": dt.date(2027, 1, 5),
                    }
                ]
            ),
        )
    assert exc.value.message_dict["actions"][0].startswith("Action 1 (“Lead's action”)")


def test_a_retired_service_and_the_targets_survive_a_revision(sre, drill):
    retired = ServiceFactory(rto_target_minutes=60)
    report = drill_report_start(actor=sre, drill=drill)
    report = drill_report_save(actor=sre, report=report, data=complete_data(sre, [retired]))
    drill_report_submit(actor=sre, report=report)
    retired.is_active = False
    retired.rto_target_minutes = 30
    retired.save()
    report = drill_report_revise(actor=sre, report=report, reason="Typo")
    from drills.forms import DrillReportForm

    assert retired in DrillReportForm(instance=report).fields["services"].queryset
    report = drill_report_save(
        actor=sre, report=report, data=ReportData(services=[retired], fields={"summary": "Fixed"})
    )
    assert report.rto_target_minutes == 60


def test_a_report_dated_in_the_future_cannot_be_submitted(sre, drill):
    report = drill_report_start(actor=sre, drill=drill)
    data = complete_data(sre, [ServiceFactory()])
    data.fields["drill_date"] = dt.date.today() + dt.timedelta(days=30)
    report = drill_report_save(actor=sre, report=report, data=data)
    assert "drill_date" in drill_report_problems(report)


def test_every_history_row_of_a_save_names_the_actor_even_outside_a_request(sre, drill):
    from bcp_portal.core.audit import Source, audit_context

    with audit_context(source=Source.COMMAND):
        report = drill_report_start(actor=sre, drill=drill)
        drill_report_save(actor=sre, report=report, data=complete_data(sre, [ServiceFactory()]))
    assert {row.history_user for row in report.history.all()} == {sre}
