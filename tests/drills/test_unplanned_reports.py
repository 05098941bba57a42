"""Issue #8, item 11: an unplanned report records a drill that happened; only whoever may
plan drills puts one on the calendar ahead, so a report cannot plan a drill for 2099."""

import datetime as dt

import pytest
from knox.models import AuthToken

from drills.models import Drill
from tests.drills.report_factories import ReportDrillTypeFactory

pytestmark = pytest.mark.django_db


def api(client, user):
    _, key = AuthToken.objects.create(user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    return client


def test_an_sre_cannot_put_a_future_drill_on_the_calendar_through_an_unplanned_report(
    client, client_for, sre
):
    drill_type = ReportDrillTypeFactory()
    page = client_for(sre).post(
        "/drills/reports/new/", {"drill_type": drill_type.pk, "drill_date": "2099-01-01"}
    )
    response = api(client, sre).post(
        "/api/v1/drill-reports",
        {"drill_type": drill_type.key, "drill_date": "2099-01-01"},
        content_type="application/json",
    )

    assert "has happened" in page.content.decode()
    assert response.status_code == 400
    assert "has happened" in response.json()["error"]["fields"]["drill_date"][0]
    assert not Drill.objects.exists()


def test_an_unplanned_drill_of_today_or_earlier_is_recorded(client_for, sre):
    drill_type = ReportDrillTypeFactory()
    yesterday = dt.date.today() - dt.timedelta(days=1)
    response = client_for(sre).post(
        "/drills/reports/new/", {"drill_type": drill_type.pk, "drill_date": yesterday}
    )

    assert response.status_code == 302
    assert Drill.objects.get().report.created_by == sre


def test_whoever_may_plan_drills_may_record_an_unplanned_one_ahead(client_for, srelead):
    drill_type = ReportDrillTypeFactory()
    response = client_for(srelead).post(
        "/drills/reports/new/", {"drill_type": drill_type.pk, "drill_date": "2099-01-01"}
    )

    assert response.status_code == 302
    assert Drill.objects.get().starts_at.year == 2099
