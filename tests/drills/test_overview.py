"""The managers' dashboard overview (drills.overview): who sees it and what it counts."""

from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from matplotlib.figure import Figure

from bcp_portal.catalogue.models import Service
from bcp_portal.core import charts
from bcp_portal.dashboard import panel_names, panels_for
from drills import overview
from drills.models import Drill, DrillReport
from tests.actions.factories import ActionFactory, PersonFactory
from tests.conftest import make_persona
from tests.dashboard import dashboard_load, dashboard_page
from tests.drills.report_factories import DrillReportFactory, ReportDrillFactory
from tests.factories import ServiceFactory

NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)  # the middle of 2026 Q2
TODAY = NOW.date()
OVERVIEW_TITLES = (
    "Drills this quarter (2026 Q2)",
    "Overdue actions by owner",
    "Recent RTO/RPO misses",
    "Services not exercised recently",
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def submitted(**fields) -> DrillReport:
    fields = {
        "status": DrillReport.Status.SUBMITTED,
        "drill__status": Drill.Status.DONE,
        "drill__starts_at": NOW - timedelta(days=3),
        "drill_date": TODAY - timedelta(days=3),
        **fields,
    }
    return DrillReportFactory(**fields)


@pytest.mark.parametrize("name", ["srelead", "engmgr", "cto"])
def test_managers_see_the_four_overview_panels(name):
    titles = [panel.title for panel in panels_for(make_persona(name))]
    for title in OVERVIEW_TITLES:
        assert title in titles


@pytest.mark.parametrize("name", ["sre", "auditor", "dpo", "outsider"])
def test_people_outside_the_manager_roles_do_not_see_the_overview(name):
    titles = [panel.title for panel in panels_for(make_persona(name))]
    assert not set(OVERVIEW_TITLES) & set(titles)


def test_overdue_actions_are_counted_per_owner_and_link_to_the_filtered_list(client_for):
    ana = PersonFactory(first_name="Ana", last_name="Ortiz")
    ben = PersonFactory(first_name="Ben", last_name="Hale")
    late = TODAY - timedelta(days=5)
    ActionFactory.create_batch(3, owner=ana, due_date=late)
    ActionFactory(owner=ben, due_date=late)
    ActionFactory(owner=None, due_date=late)
    ActionFactory(owner=ben, due_date=TODAY + timedelta(days=5))  # not due yet
    ActionFactory(owner=ben, due_date=late, status="done")  # finished

    panel = overview.overdue_actions_panel(make_persona("engmgr"))

    assert [(o.name, o.count) for o in panel.context["owners"]] == [
        ("Ana Ortiz", 3),
        ("Ben Hale", 1),
        ("Nobody (unowned)", 1),
    ]
    assert panel.context["total"] == 5
    assert panel.context["owners"][0].url == f"/actions/?overdue=1&owner={ana.pk}"
    assert panel.context["owners"][2].url == "/actions/?overdue=1&owner=none"
    assert panel.context["chart"].startswith("data:image/svg+xml;base64,")
    page = dashboard_page(client_for(make_persona("cto")))
    assert f'href="/actions/?overdue=1&amp;owner={ana.pk}">3</a>' in page
    listed = client_for(make_persona("cto")).get(panel.context["owners"][0].url)
    assert listed.status_code == 200 and listed.content.decode().count("Improve the restore") == 3


def test_the_overdue_chart_is_drawn_once_for_the_same_figures_and_again_when_they_change():
    owner = PersonFactory(first_name="Ana", last_name="Ortiz")
    ActionFactory(owner=owner, due_date=TODAY - timedelta(days=5))
    drawn = []
    savefig = Figure.savefig

    def counting(figure, *args, **kwargs):
        drawn.append(1)
        return savefig(figure, *args, **kwargs)

    manager = make_persona("engmgr")
    charts.forget_drawings()
    with patch.object(Figure, "savefig", counting):
        first = overview.overdue_actions_panel(manager).context["chart"]
        again = overview.overdue_actions_panel(manager).context["chart"]
        ActionFactory(owner=owner, due_date=TODAY - timedelta(days=1))
        changed = overview.overdue_actions_panel(manager).context["chart"]
    assert len(drawn) == 2
    assert first == again and first.startswith("data:image/svg+xml;base64,")
    assert changed != first


def test_drills_this_quarter_count_a_drill_ahead_as_upcoming_not_as_missed():
    submitted()  # done, 3 days ago
    ReportDrillFactory(starts_at=NOW - timedelta(days=20))  # planned, date passed, no report
    ReportDrillFactory(starts_at=NOW + timedelta(days=20))  # planned, still ahead
    ReportDrillFactory(starts_at=NOW - timedelta(days=10), status=Drill.Status.CANCELLED)
    ReportDrillFactory(starts_at=NOW - timedelta(days=120))  # last quarter

    panel = overview.drills_this_quarter_panel(make_persona("srelead"))

    quarter = panel.context["quarter"]
    assert (quarter.due, quarter.done, quarter.upcoming) == (2, 1, 1)
    assert panel.context["missed"] == 1
    assert panel.context["list_url"] == "/drills/list/?quarter=2026-Q2"


def test_rto_rpo_misses_list_submitted_reports_of_the_last_90_days_over_target(client_for):
    rto_miss = submitted(rto_target_minutes=60, rto_actual_minutes=90)
    rpo_miss = submitted(rpo_target_minutes=15, rpo_actual_minutes=20)
    submitted(rto_target_minutes=60, rto_actual_minutes=60, rpo_target_minutes=15)  # met
    submitted(rto_target_minutes=60, rto_actual_minutes=90, drill_date=TODAY - timedelta(days=91))
    DrillReportFactory(rto_target_minutes=60, rto_actual_minutes=90)  # a draft

    panel = overview.rto_rpo_misses_panel(make_persona("cto"))

    assert set(panel.context["reports"]) == {rto_miss, rpo_miss}
    page = dashboard_page(client_for(make_persona("cto")))
    assert "RTO 90 min against 60 min" in page and "RPO 20 min against 15 min" in page


def test_a_service_is_stale_once_its_priority_period_passes_without_a_submitted_report():
    def exercised(service: Service, days_ago: int, status=DrillReport.Status.SUBMITTED):
        report = submitted(drill_date=TODAY - timedelta(days=days_ago))
        report.status = status
        report.save()
        report.services.add(service)

    p0_fresh = ServiceFactory(name="P0 fresh", recovery_priority="P0")
    exercised(p0_fresh, 30)
    p0_stale = ServiceFactory(name="P0 stale", recovery_priority="P0")
    exercised(p0_stale, 100)  # more than a quarter
    p1_fresh = ServiceFactory(name="P1 fresh", recovery_priority="P1")
    exercised(p1_fresh, 100)  # within six months
    p2_draft_only = ServiceFactory(name="P2 draft only", recovery_priority="P2")
    exercised(p2_draft_only, 10, status=DrillReport.Status.DRAFT)
    ServiceFactory(name="Retired", recovery_priority="P0", is_active=False)

    panel = overview.unexercised_services_panel(make_persona("srelead"))

    rows = [(r.service.name, r.last_exercised) for r in panel.context["rows"]]
    assert rows == [("P0 stale", TODAY - timedelta(days=100)), ("P2 draft only", None)]
    assert p0_fresh.name not in dict(rows) and p1_fresh.name not in dict(rows)


def _fill(n: int) -> None:
    late = TODAY - timedelta(days=5)
    for i in range(n):
        report = submitted(rto_target_minutes=60, rto_actual_minutes=90)
        ActionFactory(owner=PersonFactory(), due_date=late, drill_report=report)
        report.services.add(ServiceFactory(recovery_priority="P0"))
        ServiceFactory(recovery_priority="P2")
        # Planned, date passed, not yet overdue (the personal "My drills" panel lists those).
        ReportDrillFactory(starts_at=NOW - timedelta(hours=1 + i))


def _dashboard_queries(client) -> int:
    """The queries of the dashboard and of every panel its boxes load."""
    with CaptureQueriesContext(connection) as queries:
        assert dashboard_load(client).status_code == 200
    return len(queries)


def _overview_queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        for panel in OVERVIEW_PANELS:
            assert panel(user) is not None
    return len(queries)


OVERVIEW_PANELS = (
    overview.drills_this_quarter_panel,
    overview.overdue_actions_panel,
    overview.rto_rpo_misses_panel,
    overview.unexercised_services_panel,
)
# One count per panel, plus the organisation profile (its zone) for each panel that needs
# the organisation's "today": the quarter, the misses and the services.
OVERVIEW_QUERIES = 7


def test_the_overview_costs_the_same_queries_with_2_rows_and_with_30(client_for):
    manager = make_persona("srelead")
    client = client_for(manager)
    _fill(2)
    client.get("/")  # the organisation profile is created on first use
    _overview_queries(manager)  # roles and permissions are read once per user
    with_two = (_dashboard_queries(client), _overview_queries(manager))
    _fill(28)
    with_thirty = (_dashboard_queries(client), _overview_queries(manager))
    assert with_two == with_thirty
    assert with_thirty[1] == OVERVIEW_QUERIES


def test_the_dashboard_reads_the_organisation_profile_once_for_all_its_panels(client_for):
    lead = make_persona("srelead")
    client = client_for(lead)
    _fill(2)
    client.get("/")  # the organisation profile is created on first use
    with CaptureQueriesContext(connection) as queries:
        assert panels_for(lead)
    profile_reads = [q for q in queries if "catalogue_organisationprofile" in q["sql"]]
    assert len(profile_reads) == 1


def test_each_panel_the_dashboard_loads_reads_the_organisation_profile_at_most_once(
    client_for,
):
    client = client_for(make_persona("srelead"))
    _fill(2)
    client.get("/")  # the organisation profile is created on first use
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    # The frame computes no panel: no profile read.
    assert not [q for q in queries if "catalogue_organisationprofile" in q["sql"]]
    for name in panel_names():
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse(f"panel-{name}"), headers={"HX-Request": "true"})
        reads = [q for q in queries if "catalogue_organisationprofile" in q["sql"]]
        assert len(reads) <= 1, name
