import io

import pytest
from pypdf import PdfReader

from drills.models import DrillReport
from drills.services.reports import ReportData, drill_report_save, drill_report_start
from tests.drills.report_factories import RecoveryStepFactory, ReportDrillFactory
from tests.factories import ServiceFactory


def management(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def report_post(service, *, steps, extra=None) -> dict:
    data = {
        "drill_date": "2026-11-03",
        "scenario": "Primary database lost.",
        "services": [service.pk],
        "planned_duration_minutes": "120",
        "actual_duration_minutes": "95",
        "rto_actual_minutes": "80",
        "rpo_actual_minutes": "20",
        "overall_result": "pass",
        "summary": "Within target.",
        **management("steps", len(steps)),
        **management("issues", 0),
        **management("actions", 0),
    }
    for i, step in enumerate(steps):
        for key, value in step.items():
            data[f"steps-{i}-{key}"] = value
    data.update(extra or {})
    return data


@pytest.fixture
def report(sre):
    return drill_report_start(actor=sre, drill=ReportDrillFactory())


def test_a_bad_number_keeps_everything_typed_and_saves_nothing(client_for, sre, report):
    service = ServiceFactory()
    data = report_post(
        service,
        steps=[
            {
                "description": "Restore the backup",
                "duration_minutes": "40",
                "result": "pass",
                "ORDER": "1",
            },
            {
                "description": "Verify row counts",
                "duration_minutes": "-3",
                "result": "pass",
                "ORDER": "2",
            },
        ],
        extra={"summary": "half-written summary", "save": "1"},
    )
    response = client_for(sre).post(f"/drills/reports/{report.pk}/edit/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Restore the backup" in page and "Verify row counts" in page
    assert "half-written summary" in page
    assert "Ensure this value is greater than or equal to 0." in page
    assert report.steps.count() == 0


def test_removed_and_reordered_steps_are_saved_in_the_order_shown(client_for, sre, report):
    service = ServiceFactory()
    data = report_post(
        service,
        steps=[
            {"description": "First typed", "duration_minutes": "5", "result": "pass", "ORDER": "2"},
            {
                "description": "Removed one",
                "duration_minutes": "5",
                "result": "pass",
                "ORDER": "",
                "DELETE": "on",
            },
            {
                "description": "Moved to the top",
                "duration_minutes": "5",
                "result": "fail",
                "ORDER": "1",
            },
        ],
        extra={"save": "1"},
    )
    response = client_for(sre).post(f"/drills/reports/{report.pk}/edit/", data)
    assert response.status_code == 302
    assert [s.description for s in report.steps.all()] == ["Moved to the top", "First typed"]


def test_submitting_an_incomplete_report_saves_the_draft_and_lists_what_is_missing(
    client_for, sre, report
):
    service = ServiceFactory()
    data = report_post(
        service,
        steps=[
            {"description": "Restore", "duration_minutes": "30", "result": "", "ORDER": "1"},
        ],
        extra={"submit": "1"},
    )
    response = client_for(sre).post(f"/drills/reports/{report.pk}/edit/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Step 1: mark it PASS or FAIL." in page
    assert "Your draft is saved" in page
    report.refresh_from_db()
    assert report.status == DrillReport.Status.DRAFT and report.steps.count() == 1


def test_a_complete_report_is_submitted_from_the_form(client_for, sre, report):
    data = report_post(
        ServiceFactory(rto_target_minutes=60),
        steps=[
            {"description": "Restore", "duration_minutes": "30", "result": "pass", "ORDER": "1"},
        ],
        extra={"submit": "1"},
    )
    response = client_for(sre).post(f"/drills/reports/{report.pk}/edit/", data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_locked and report.rto_verdict == "missed"


def test_a_submitted_report_cannot_be_edited_through_the_form(client_for, sre, report):
    data = report_post(
        ServiceFactory(),
        steps=[
            {"description": "Restore", "duration_minutes": "30", "result": "pass", "ORDER": "1"},
        ],
        extra={"submit": "1"},
    )
    client = client_for(sre)
    client.post(f"/drills/reports/{report.pk}/edit/", data)
    data["summary"] = "sneaky change"
    response = client.post(f"/drills/reports/{report.pk}/edit/", data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.summary == "Within target."


def test_the_history_page_shows_who_changed_what(client_for, sre, report):
    drill_report_save(actor=sre, report=report, data=ReportData(fields={"summary": "Before"}))
    drill_report_save(actor=sre, report=report, data=ReportData(fields={"summary": "After"}))
    page = client_for(sre).get(f"/drills/reports/{report.pk}/history/").content.decode()
    assert "Before" in page and "After" in page
    assert sre.get_full_name() in page


def test_the_pdf_has_the_steps_and_the_rto_verdict(client_for, sre, report):
    service = ServiceFactory(rto_target_minutes=120)
    drill_report_save(
        actor=sre,
        report=report,
        data=ReportData(
            services=[service],
            fields={"rto_actual_minutes": 90},
            steps=[
                {"description": "Promote the replica", "duration_minutes": 12, "result": "pass"}
            ],
        ),
    )
    response = client_for(sre).get(f"/drills/reports/{report.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages
    )
    assert "Promote the replica" in text
    assert "RTO met" in text
    assert report.document_id in text


@pytest.mark.parametrize("steps", [2, 30])
def test_the_report_page_query_count_does_not_grow_with_steps(
    client_for, sre, report, steps, django_assert_num_queries
):
    RecoveryStepFactory.create_batch(steps, report=report)
    client = client_for(sre)
    client.get(report.get_absolute_url())
    with django_assert_num_queries(12):
        assert client.get(report.get_absolute_url()).status_code == 200


def test_an_auditor_reads_reports_but_cannot_open_the_editor(client_for, auditor, report):
    client = client_for(auditor)
    assert client.get(report.get_absolute_url()).status_code == 200
    assert client.get(f"/drills/reports/{report.pk}/edit/").status_code == 403


def test_the_summary_shows_the_pass_rate_chart_on_the_page_and_in_the_pdf(client_for, sre):
    from drills.services.reports import drill_report_submit

    for result in ("pass", "pass", "fail"):
        report = drill_report_start(actor=sre, drill=ReportDrillFactory())
        drill_report_save(
            actor=sre,
            report=report,
            data=ReportData(
                services=[ServiceFactory()],
                fields={
                    "drill_date": report.drill_date,
                    "actual_duration_minutes": 60,
                    "rto_actual_minutes": 60,
                    "rpo_actual_minutes": 10,
                    "overall_result": result,
                    "summary": "Done.",
                },
                steps=[{"description": "Restore", "duration_minutes": 30, "result": result}],
            ),
        )
        drill_report_submit(actor=sre, report=report)
    client = client_for(sre)
    page = client.get("/drills/summary/").content.decode()
    assert (
        '<td>Database recovery</td><td class="text-end">2</td><td class="text-end">3</td>'
        '<td class="text-end">67 %</td>'
    ) in page
    chart = page.split('<img src="', 1)[1].split('"', 1)[0]
    assert chart.startswith("data:image/svg+xml;base64,")
    response = client.get("/drills/summary.pdf")
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Database recovery" in text and "67 %" in text
    assert any("/XObject" in str(p.get("/Resources", {})) for p in reader.pages)


def test_the_admin_shows_reports_but_does_not_change_them(client_for, srelead, report):
    srelead.is_staff = True
    srelead.save()
    client = client_for(srelead)
    url = f"/admin/drills/drillreport/{report.pk}/change/"
    assert client.get(url).status_code == 200
    client.post(url, {"status": "submitted"})
    report.refresh_from_db()
    assert report.status == DrillReport.Status.DRAFT


def test_an_action_row_error_is_shown_next_to_the_field(client_for, sre, report):
    data = report_post(
        ServiceFactory(),
        steps=[],
        extra={
            **management("actions", 1),
            "actions-0-title": "Fix it",
            "actions-0-due_date": "2026-02-31",
            "actions-0-priority": "high",
            "save": "1",
        },
    )
    page = client_for(sre).post(f"/drills/reports/{report.pk}/edit/", data).content.decode()
    assert "Enter a valid date." in page
    assert "Please correct the rows marked below" in page
    assert 'value="Fix it"' in page


def test_the_history_names_people_and_services_instead_of_ids(client_for, sre, report):
    service = ServiceFactory(name="PostgreSQL primary")
    drill_report_save(actor=sre, report=report, data=ReportData(services=[service]))
    page = client_for(sre).get(f"/drills/reports/{report.pk}/history/").content.decode()
    assert "PostgreSQL primary" in page
    assert "{&#x27;drillreport&#x27;" not in page and "{'drillreport'" not in page


def test_planned_versus_done_takes_one_query_whatever_the_quarters(db, django_assert_num_queries):
    import datetime as dt

    from drills.report_selectors import planned_vs_done

    with django_assert_num_queries(1):
        rows = planned_vs_done(today=dt.date(2026, 11, 25), quarters=8)
    assert [row.label for row in rows][-2:] == ["2026 Q3", "2026 Q4"]
    assert rows[0].label == "2025 Q1"
