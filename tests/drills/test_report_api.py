import pytest

from bcp_portal.actions.models import Action
from drills.models import Drill, DrillReport
from tests.drills.report_factories import (
    DrillReportFactory,
    RecoveryStepFactory,
    ReportDrillFactory,
    ReportDrillTypeFactory,
)
from tests.factories import ServiceFactory


def ci_result(service, owner, **overrides) -> dict:
    body = {
        "drill_type": "database_recovery",
        "drill_date": "2026-11-20",
        "scenario": "Automated restore of last night's backup into a scratch database.",
        "services": [service.pk],
        "actual_duration_minutes": 42,
        "rto_actual_minutes": 40,
        "rpo_actual_minutes": 55,
        "overall_result": "pass",
        "summary": "Restore completed; row counts match.",
        "steps": [
            {"description": "Fetch the dump", "duration_minutes": 3, "result": "pass"},
            {"description": "pg_restore", "duration_minutes": 35, "result": "pass"},
            {"description": "Compare row counts", "duration_minutes": 4, "result": "pass"},
        ],
        "issues": [{"description": "Dump was 40 min old", "severity": "low"}],
        "actions": [{"title": "Alert on dump age", "owner": owner.pk, "due_date": "2026-12-15"}],
        "submit": True,
    }
    body.update(overrides)
    return body


@pytest.fixture
def drill_type(db):
    return ReportDrillTypeFactory()


def test_a_ci_pipeline_posts_a_complete_drill_result_in_one_call(client_for, sre, drill_type):
    service = ServiceFactory(rto_target_minutes=60, rpo_target_minutes=60)
    response = client_for(sre).post(
        "/api/v1/drill-reports", ci_result(service, sre), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert (body["rto_verdict"], body["rpo_verdict"]) == ("met", "met")
    assert [s["description"] for s in body["steps"]] == [
        "Fetch the dump",
        "pg_restore",
        "Compare row counts",
    ]
    report = DrillReport.objects.get(pk=body["id"])
    assert report.drill.status == Drill.Status.DONE
    assert Action.objects.get(drill_report_link__drill_report=report).owner == sre


def test_an_incomplete_submission_stores_nothing_and_names_the_fields(client_for, sre, drill_type):
    body = ci_result(
        ServiceFactory(),
        sre,
        overall_result="",
        steps=[{"description": "pg_restore", "duration_minutes": 35}],
    )
    response = client_for(sre).post("/api/v1/drill-reports", body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "overall_result" in error["fields"] and "steps" in error["fields"]
    assert not DrillReport.objects.exists() and not Drill.objects.exists()


def test_a_report_needs_a_drill_or_a_type_and_date(client_for, sre, drill_type):
    response = client_for(sre).post(
        "/api/v1/drill-reports", {"scenario": "x"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert {"drill_type", "drill_date"} <= set(response.json()["error"]["fields"])


def test_a_submitted_report_is_corrected_only_through_a_revision(client_for, sre, drill_type):
    client = client_for(sre)
    body = client.post(
        "/api/v1/drill-reports", ci_result(ServiceFactory(), sre), content_type="application/json"
    ).json()
    url = f"/api/v1/drill-reports/{body['id']}"
    response = client.patch(url, {"summary": "changed"}, content_type="application/json")
    assert response.status_code == 400
    assert "locked" in response.json()["error"]["message"] + str(response.json()["error"])
    assert (
        client.post(
            f"{url}/revise", {"reason": "Typo in summary"}, content_type="application/json"
        ).status_code
        == 200
    )
    response = client.patch(
        url, {"summary": "changed", "submit": True}, content_type="application/json"
    )
    assert response.status_code == 200
    assert (response.json()["revision"], response.json()["status"]) == (2, "submitted")


def test_an_auditor_reads_reports_but_cannot_post_one(client_for, auditor, sre, drill_type):
    client = client_for(auditor)
    assert client.get("/api/v1/drill-reports").status_code == 200
    response = client.post(
        "/api/v1/drill-reports", ci_result(ServiceFactory(), sre), content_type="application/json"
    )
    assert response.status_code == 403


def test_a_planned_drill_gets_its_report_by_id(client_for, sre, drill_type):
    drill = ReportDrillFactory(drill_type=drill_type)
    body = ci_result(ServiceFactory(), sre, drill=drill.pk, submit=False)
    del body["drill_type"]
    response = client_for(sre).post("/api/v1/drill-reports", body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["drill"] == drill.pk and response.json()["status"] == "draft"


@pytest.mark.parametrize("rows", [2, 30])
def test_the_list_query_count_does_not_grow_with_reports(
    client_for, sre, rows, django_assert_num_queries
):
    for report in DrillReportFactory.create_batch(rows):
        RecoveryStepFactory(report=report)
    client = client_for(sre)
    client.get("/api/v1/drill-reports")
    with django_assert_num_queries(11):
        response = client.get("/api/v1/drill-reports")
    assert response.status_code == 200 and len(response.json()["results"]) == rows


def test_posting_a_second_report_for_a_drill_is_refused_and_points_at_the_first(
    client_for, sre, drill_type
):
    drill = ReportDrillFactory(drill_type=drill_type)
    body = ci_result(ServiceFactory(), sre, drill=drill.pk, submit=False)
    del body["drill_type"]
    client = client_for(sre)
    first = client.post("/api/v1/drill-reports", body, content_type="application/json").json()
    response = client.post(
        "/api/v1/drill-reports", {**body, "steps": []}, content_type="application/json"
    )
    assert response.status_code == 400
    assert f"/api/v1/drill-reports/{first['id']}" in response.json()["error"]["fields"]["drill"][0]
    assert DrillReport.objects.get().steps.count() == 3
