"""One way to file a report: the page and the API give the same answer to each case."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from bcp_portal.catalogue.selectors import organisation_profile
from drills.models import Drill, DrillReport
from drills.services import reports as services
from tests.drills.report_factories import ReportDrillFactory, ReportDrillTypeFactory
from tests.drills.test_report_pages import management
from tests.factories import ServiceFactory


def page_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def api_fields(response) -> dict:
    return response.json()["error"]["fields"]


def complete_body(service, **overrides) -> dict:
    body = {
        "scenario": "Primary database lost.",
        "services": [service.pk],
        "actual_duration_minutes": 42,
        "rto_actual_minutes": 40,
        "rpo_actual_minutes": 20,
        "overall_result": "pass",
        "summary": "Restored.",
        "steps": [{"description": "pg_restore", "duration_minutes": 35, "result": "pass"}],
    }
    body.update(overrides)
    return body


def test_a_drill_with_a_report_is_refused_with_the_same_message_on_the_page_and_the_api(
    client_for, sre
):
    drill = ReportDrillFactory()
    existing = services.drill_report_file(actor=sre, drill=drill)
    client = client_for(sre)

    page = client.post(f"/drills/{drill.pk}/report/", follow=False)
    api = client.post(
        "/api/v1/drill-reports",
        {"drill": drill.pk, "scenario": "again"},
        content_type="application/json",
    )

    assert page.status_code == 302 and page.url == f"/drills/reports/{existing.pk}/edit/"
    assert api.status_code == 400
    (message,) = api_fields(api)["drill"]
    assert page_messages(page) == [message]
    assert f"/api/v1/drill-reports/{existing.pk}" in message
    assert f"/drills/reports/{existing.pk}/edit/" in message
    assert DrillReport.objects.count() == 1


def test_a_cancelled_drill_is_refused_with_the_same_message_on_the_page_and_the_api(
    client_for, sre
):
    drill = ReportDrillFactory(status=Drill.Status.CANCELLED)
    client = client_for(sre)

    page = client.post(f"/drills/{drill.pk}/report/")
    api = client.post("/api/v1/drill-reports", {"drill": drill.pk}, content_type="application/json")

    assert page.status_code == 302 and page.url == drill.get_absolute_url()
    assert api.status_code == 400
    assert api_fields(api)["drill"] == [services.DRILL_CANCELLED]
    assert page_messages(page) == [services.DRILL_CANCELLED]
    assert not DrillReport.objects.exists()


def test_a_future_drill_takes_a_draft_but_neither_the_page_nor_the_api_submits_it(client_for, sre):
    service = ServiceFactory()
    client = client_for(sre)
    ahead = timezone.now() + dt.timedelta(days=10)
    page_drill, api_drill = ReportDrillFactory(starts_at=ahead), ReportDrillFactory(starts_at=ahead)

    api = client.post(
        "/api/v1/drill-reports",
        {"drill": api_drill.pk, **complete_body(service), "submit": True},
        content_type="application/json",
    )
    report = services.drill_report_file(actor=sre, drill=page_drill)
    form = {
        "scenario": "Primary database lost.",
        "drill_date": f"{report.drill_date:%Y-%m-%d}",
        "services": [service.pk],
        "actual_duration_minutes": "42",
        "rto_actual_minutes": "40",
        "rpo_actual_minutes": "20",
        "overall_result": "pass",
        "summary": "Restored.",
        **management("steps", 1),
        "steps-0-description": "pg_restore",
        "steps-0-duration_minutes": "35",
        "steps-0-result": "pass",
        "steps-0-ORDER": "1",
        **management("issues", 0),
        **management("actions", 0),
        "submit": "1",
    }
    page = client.post(f"/drills/reports/{report.pk}/edit/", form)

    assert api.status_code == 400 and api_fields(api)["drill_date"] == [services.DRILL_DATE_AHEAD]
    assert not DrillReport.objects.filter(drill=api_drill).exists()
    assert page.status_code == 400 and services.DRILL_DATE_AHEAD in page.content.decode()
    report.refresh_from_db()
    assert report.status == DrillReport.Status.DRAFT


def test_a_locked_report_is_refused_with_the_same_message_on_the_page_and_the_api(client_for, sre):
    service = ServiceFactory()
    client = client_for(sre)
    created = client.post(
        "/api/v1/drill-reports",
        {"drill": ReportDrillFactory().pk, **complete_body(service), "submit": True},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]

    api = client.patch(
        f"/api/v1/drill-reports/{pk}", {"summary": "changed"}, content_type="application/json"
    )
    page = client.post(f"/drills/reports/{pk}/edit/", {"summary": "changed"})

    assert api.status_code == 400
    assert services.REPORT_LOCKED in str(api.json()["error"])
    assert page.status_code == 302 and page_messages(page) == [services.REPORT_LOCKED]
    assert DrillReport.objects.get(pk=pk).summary == "Restored."


def test_filing_with_submit_stores_nothing_when_submission_is_refused(sre):
    drill = ReportDrillFactory()
    data = services.ReportData(fields={"summary": "half done"})
    with pytest.raises(services.ValidationError):
        services.drill_report_file(actor=sre, drill=drill, data=data, submit=True)
    assert not DrillReport.objects.exists()


def test_an_unplanned_drill_is_recorded_on_the_organisations_date_whatever_the_channel(
    client_for, sre
):
    profile = organisation_profile()
    profile.time_zone = "Pacific/Kiritimati"
    profile.save()
    ReportDrillTypeFactory()
    service = ServiceFactory()
    response = client_for(sre).post(
        "/api/v1/drill-reports",
        {"drill_type": "database_recovery", "drill_date": "2026-11-20", **complete_body(service)},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    report = DrillReport.objects.get(pk=response.json()["id"])
    assert report.drill_date == dt.date(2026, 11, 20)
    kiritimati = zoneinfo.ZoneInfo("Pacific/Kiritimati")
    assert report.drill.starts_at == dt.datetime(2026, 11, 20, 10, tzinfo=kiritimati)
