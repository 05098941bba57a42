"""Changelist rows from `{% portal_result_list %}` are the cells Django's `results()` gives, for
every registered changelist; the large changelists read a constant number of queries, their
page and its capped count in one statement."""

from __future__ import annotations

import contextlib
import re
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import results
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from bcp_portal.actions import services as action_services
from bcp_portal.actions.models import Action
from bcp_portal.core import paginator
from bcp_portal.core.templatetags import admin_rows
from drills.models import Drill
from tests.actions.factories import ActionFactory, DrillReportFactory
from tests.drills.factories import DrillFactory
from tests.factories import UserFactory
from tests.test_admin_surface import make_row

pytestmark = pytest.mark.django_db

# Plain, sorted by the second column, a search, sorted by two columns (the links carry the
# list's query along); a status filter for the lists that have one.
QUERIES = ["", "?o=-2", "?q=e", "?o=1.-3"]
STATUS_QUERIES = [*QUERIES, "?o=1.-3&status=planned"]


@pytest.fixture
def superuser():
    return UserFactory(username="rows-root", is_staff=True, is_superuser=True)


def changelist(rf, user, model, query=""):
    opts = model._meta
    request = rf.get(f"/admin/{opts.app_label}/{opts.model_name}/{query}")
    request.user = user
    request.resolver_match = resolve(request.path)  # the list's filters follow its links
    cl = admin.site._registry[model].get_changelist_instance(request)
    cl.formset = None  # as changelist_view sets it for a list without list_editable
    return cl


def both_ways(cl) -> tuple[list[list[str]], list[list[str]]]:
    return [list(row) for row in results(cl)], [list(row) for row in admin_rows.rows(cl)]


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_changelist_s_rows_are_the_cells_django_renders(rf, superuser, model):
    label = model._meta.label
    # A row of each domain model and credential (the surface test's own makers); the
    # operational and third-party lists show whatever the other rows brought along.
    if model.objects.count() == 0:
        with contextlib.suppress(KeyError):
            make_row(label, superuser)
    for query in QUERIES:
        django_s, ours = both_ways(changelist(rf, superuser, model, query))
        assert ours == django_s, query


@pytest.mark.parametrize("query", STATUS_QUERIES)
def test_drill_rows_with_every_kind_of_cell_are_the_cells_django_renders(rf, superuser, query):
    DrillFactory(title="Fail over <the> database & cache", edited_by_person=True)
    DrillFactory(status=Drill.Status.PLANNED, edited_by_person=False)
    report = DrillReportFactory(overall_result="")
    ActionFactory(title="Nobody owns this", owner=None)
    action_services.action_create(actor=superuser, title="Rotate keys", source=report)
    for model in (Drill, type(report), Action):
        if "status=planned" in query and model is not Drill:
            continue
        django_s, ours = both_ways(changelist(rf, superuser, model, query))
        assert ours and ours == django_s


def test_a_row_s_link_carries_the_list_s_filters_as_django_s_does(rf, superuser):
    drill = DrillFactory(status=Drill.Status.PLANNED)
    django_s, ours = both_ways(changelist(rf, superuser, Drill, "?status=planned"))
    assert ours == django_s
    link = f'href="/admin/drills/drill/{drill.pk}/change/?_changelist_filters=status%3Dplanned"'
    assert link in "".join(ours[0])


def test_the_changelist_page_renders_its_rows_through_the_portal_s_tag(client_for, superuser):
    DrillFactory(title="Restore the ledger")
    with mock.patch.object(admin_rows, "rows", wraps=admin_rows.rows) as rows:
        page = client_for(superuser).get("/admin/drills/drill/")
    assert rows.call_count == 1
    assert "Restore the ledger" in page.content.decode()


def make_drills(count: int) -> None:
    for index in range(count):
        DrillFactory(title=f"Drill {index}", edited_by_person=index % 2 == 0)


def make_reports(count: int) -> None:
    for _ in range(count):
        DrillReportFactory()


def make_actions(count: int, owner) -> None:
    for index in range(count):
        ActionFactory(title=f"Action {index}", owner=owner if index % 2 else None)


@pytest.mark.parametrize(
    ("path", "queries"),
    [("/admin/drills/drill/", 6), ("/admin/drills/drillreport/", 6), ("/admin/actions/action/", 5)],
)
def test_a_large_changelist_reads_as_many_queries_for_2_rows_as_for_30(
    client_for, superuser, django_assert_num_queries, path, queries
):
    client = client_for(superuser)
    make = {
        "/admin/drills/drill/": make_drills,
        "/admin/drills/drillreport/": make_reports,
        "/admin/actions/action/": lambda count: make_actions(count, superuser),
    }[path]
    make(2)
    client.get(path)  # the session's first request reads what later ones need not
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200
    make(28)  # 30 rows: a full first page of 25 and a second page
    with django_assert_num_queries(queries):
        page = client.get(path)
    assert page.status_code == 200
    assert len(re.findall(rf'href="{path}\d+/change/"', page.content.decode())) == 25


# --- a page and its count in one statement ---------------------------------------------------


def test_a_changelist_reads_its_page_and_its_capped_count_in_one_statement(client_for, superuser):
    make_drills(30)
    client = client_for(superuser)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/admin/drills/drill/", {"p": 2})
    drill_reads = [q["sql"] for q in queries.captured_queries if '"drills_drill"' in q["sql"]]
    (read,) = [sql for sql in drill_reads if "COUNT(" in sql.upper()]
    assert "LIMIT 10001" in read and "LIMIT 25 OFFSET 25" in read and '"title"' in read
    html = page.content.decode()
    assert "30 drills" in html
    shown = re.findall(r'href="/admin/drills/drill/(\d+)/change/', html)
    expected = Drill.objects.order_by("-starts_at", "-pk").values_list("pk", flat=True)[25:30]
    assert [int(pk) for pk in shown] == list(expected)


def test_the_count_a_changelist_reads_with_its_page_stops_at_the_cap(
    client_for, superuser, monkeypatch
):
    monkeypatch.setattr(paginator, "COUNT_CAP", 26)
    make_drills(30)
    page = client_for(superuser).get("/admin/drills/drill/", {"p": 2})
    html = page.content.decode()
    assert page.status_code == 200 and "26 drills" in html
    assert len(re.findall(r'href="/admin/drills/drill/\d+/change/', html)) == 5


def test_a_page_past_the_end_and_an_empty_list_answer_as_django_s_changelist_does(
    client_for, superuser
):
    client = client_for(superuser)
    empty = client.get("/admin/drills/drill/")
    assert empty.status_code == 200 and "0 drills" in empty.content.decode()
    make_drills(3)
    one_page = client.get("/admin/drills/drill/", {"p": 5})  # one page: Django shows it all
    assert one_page.status_code == 200 and "3 drills" in one_page.content.decode()
    make_drills(27)
    past = client.get("/admin/drills/drill/", {"p": 5})
    assert past.status_code == 302 and past["Location"].endswith("?e=1")
