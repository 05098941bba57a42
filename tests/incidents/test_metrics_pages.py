"""The DR metrics page, its monthly PDF and its API: access, filters, defaults, empty state."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from pypdf import PdfReader

from bcp_portal.catalogue.selectors import organisation_profile
from tests.dashboard import dashboard_page
from tests.factories import ServiceFactory
from tests.incidents.factories import declare

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 10, 12, 0, tzinfo=dt.UTC)
PAGE, PDF, API = "/incidents/metrics/", "/incidents/metrics/report.pdf", "/api/v1/incidents/metrics"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def new_york(db):
    profile = organisation_profile()
    profile.time_zone = "America/New_York"
    profile.save()
    return profile


def test_people_who_read_incidents_see_the_metrics_and_others_do_not(
    frozen, client_for, auditor, sre, outsider
):
    assert client_for(auditor).get(PAGE).status_code == 200
    assert client_for(sre).get(API).status_code == 200
    assert client_for(outsider).get(PAGE).status_code == 403
    assert client_for(outsider).get(API).status_code == 403


def test_the_navigation_offers_the_metrics_to_a_role_holder_only(
    frozen, client_for, auditor, outsider
):
    # A tab of the incident pages (the top bar keeps one "Incidents" entry).
    assert (
        'href="/incidents/metrics/">DR metrics</a>'
        in client_for(auditor).get("/incidents/").content.decode()
    )
    assert "DR metrics" not in dashboard_page(client_for(outsider))


def test_by_default_the_page_covers_the_twelve_organisation_months_up_to_this_one(
    frozen, new_york, client_for, auditor
):
    response = client_for(auditor).get(PAGE)
    period = response.context["period"]
    assert (period.first, period.last) == (dt.date(2025, 6, 1), dt.date(2026, 5, 1))
    assert period.zone.key == "America/New_York"
    assert len(response.context["result"].months) == 12


def test_an_empty_period_says_so(frozen, client_for, auditor):
    response = client_for(auditor).get(PAGE, {"year": "2020"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="empty"' in page
    assert (
        "No incident was detected and no service was down in January 2020 to December 2020" in page
    )


@pytest.mark.parametrize(
    "query, name, message",
    [
        ({"year": "2026", "start": "2026-01"}, "year", "not both"),
        ({"start": "2026-05", "end": "2026-01"}, "end", "comes before the start month"),
        ({"start": "2020-01", "end": "2026-01"}, "start", "at most 36 months"),
        ({"severity": "P7"}, "severity", "Choose one of"),
    ],
)
def test_a_period_that_does_not_hold_together_is_refused_naming_the_parameter(
    frozen, client_for, sre, query, name, message
):
    client = client_for(sre)
    page = client.get(PAGE, query)
    assert page.status_code == 400
    html = page.content.decode()
    assert f'id="{name}-error"' in html and message in html
    # What was typed stays in the form.
    for value in query.values():
        assert f'value="{value}"' in html or f'value="{value}" selected' in html
    api = client.get(API, query)
    assert api.status_code == 400
    assert message in " ".join(api.json()["error"]["fields"][name])


def test_a_start_month_alone_runs_to_this_month(frozen, client_for, sre):
    data = client_for(sre).get(API, {"start": "2026-02"}).json()
    assert (data["period"]["start"], data["period"]["end"]) == ("2026-02", "2026-05")


def test_the_service_and_severity_filters_narrow_the_page(frozen, client_for, srelead):
    payments, search = ServiceFactory(name="Payments"), ServiceFactory(name="Search")
    declare(srelead, severity="P1", services=[payments], detected_at=NOW - dt.timedelta(days=3))
    declare(srelead, severity="P2", services=[search], detected_at=NOW - dt.timedelta(days=2))
    client = client_for(srelead)
    response = client.get(PAGE, {"service": payments.pk})
    assert response.context["total"].incidents == 1
    assert [a.name for a in response.context["availability"]] == ["Payments"]
    assert "Payments" in response.context["service_name"]
    # The monthly report link keeps the service.
    assert (
        f'report.pdf?service={payments.pk}" data-testid="monthly-pdf"' in response.content.decode()
    )
    assert client.get(PAGE, {"severity": "P2"}).context["total"].incidents == 1


def test_the_monthly_pdf_reports_the_previous_month_by_default(frozen, client_for, srelead):
    service = ServiceFactory(name="Payments")
    # April 2026: one P1 restored after 45 minutes; May's incident is not in April's report.
    april = dt.datetime(2026, 4, 14, 9, 0, tzinfo=dt.UTC)
    declare(srelead, title="April outage", severity="P1", services=[service],
            started_at=april, detected_at=april, restored_at=april + dt.timedelta(minutes=45),
            affected_users=1234)  # fmt: skip
    declare(srelead, title="May outage", severity="P0", detected_at=NOW - dt.timedelta(days=1))
    response = client_for(srelead).get(PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "dr-metrics-2026-04.pdf" in response["Content-Disposition"]
    text = "\n".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages
    )
    assert "DR metrics, April 2026" in text
    assert "DR-METRICS-202604" in text
    assert "1234" in text  # users affected
    assert "45 min" in text  # the average RTO
    # 45 minutes down in April's 43,200: 99.896 %, below the 99.9 % target.
    assert "99.896 %" in text and "Below target" in text


def test_a_malformed_report_month_shows_the_page_with_the_error(frozen, client_for, sre):
    response = client_for(sre).get(PDF, {"month": "2026-13"})
    assert response.status_code == 400
    assert 'id="month-error"' in response.content.decode()


@pytest.mark.parametrize("name", ["srelead", "engmgr", "cto"])
def test_managers_see_this_months_dr_metrics_on_the_dashboard(frozen, client_for, srelead, name):
    from tests.conftest import make_persona

    # May 2026 (UTC): a P1 restored in 30 min within its 60 min target, a P2 still open.
    service = ServiceFactory(rto_target_minutes=60, rto_max_minutes=240)
    declare(srelead, severity="P1", services=[service], detected_at=NOW - dt.timedelta(days=2),
            restored_at=NOW - dt.timedelta(days=2) + dt.timedelta(minutes=30))  # fmt: skip
    declare(srelead, severity="P2", detected_at=NOW - dt.timedelta(hours=3))
    reader = srelead if name == "srelead" else make_persona(name)
    page = dashboard_page(client_for(reader))
    assert "DR metrics this month (May 2026)" in page
    assert 'data-testid="dr-incidents">2 incidents' in page
    assert 'data-testid="dr-rto-attainment">100.0 %' in page
    assert "Not restored: <strong>1</strong>" in page


@pytest.mark.parametrize("name", ["sre", "auditor", "dpo", "outsider"])
def test_other_roles_do_not_get_the_dr_metrics_panel(frozen, client_for, name):
    from tests.conftest import make_persona

    page = dashboard_page(client_for(make_persona(name)))
    assert "DR metrics this month" not in page
