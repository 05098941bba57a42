"""Lists that hold at 100,000 rows: counts stop at a cap, admin changelists count once and
cheaply, owner choices need no DISTINCT over every action, connections persist."""

from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bcp_portal.actions import selectors as action_selectors
from bcp_portal.actions import services as action_services
from bcp_portal.actions.models import Action
from bcp_portal.contacts.models import Contact
from bcp_portal.core import paginator
from bcp_portal.core.paginator import CappedPaginator, SizedPagesPaginator
from drills import selectors as drill_selectors
from drills.models import Drill, DrillReport
from tests.actions.factories import DrillReportFactory
from tests.drills.factories import DrillFactory
from tests.factories import ContactFactory


def test_the_paginator_counts_no_further_than_its_cap(db):
    ContactFactory.create_batch(5)
    pages = CappedPaginator(Contact.objects.order_by("name"), 2, cap=3)
    with CaptureQueriesContext(connection) as queries:
        assert (pages.count, pages.count_capped, pages.num_pages) == (3, True, 2)
    (count,) = queries.captured_queries
    # The count reads at most cap + 1 rows, never the whole table, and sorts nothing.
    assert "LIMIT 4" in count["sql"] and "ORDER BY" not in count["sql"]
    exact = CappedPaginator(Contact.objects.all(), 2, cap=5)
    assert (exact.count, exact.count_capped, exact.num_pages) == (5, False, 3)


def test_the_capped_count_reads_only_the_keys_of_an_annotated_list(db, sre):
    DrillFactory.create_batch(3)
    rows = drill_selectors.drill_list(user=sre)  # annotated with each drill's result
    with CaptureQueriesContext(connection) as queries:
        assert CappedPaginator(rows, 25).count == 3
    (count,) = queries.captured_queries
    assert count["sql"].startswith('SELECT COUNT(*) FROM (SELECT "drills_drill"."id" AS "pk"')
    assert "CASE" not in count["sql"] and "LIMIT 10001" in count["sql"]


def test_a_sized_pages_paginator_reads_the_first_page_and_its_count_in_one_query(db):
    ContactFactory.create_batch(5)
    contacts = Contact.objects.order_by("name", "pk")
    pages = SizedPagesPaginator(contacts, 2)
    with CaptureQueriesContext(connection) as queries:
        first = pages.page(1)
        assert (pages.count, pages.num_pages) == (5, 3)
    (read,) = queries.captured_queries
    assert "COUNT(*) OVER ()" in read["sql"] and "LIMIT 2" in read["sql"]
    assert list(first.object_list) == list(contacts[:2])
    with CaptureQueriesContext(connection) as queries:
        last = pages.page(3)
    assert len(queries) == 1 and list(last.object_list) == list(contacts[4:])
    assert (last.has_next(), last.has_previous()) == (False, True)


def test_a_sized_pages_paginator_of_nothing_has_one_empty_page(db):
    pages = SizedPagesPaginator(Contact.objects.order_by("pk"), 2)
    with CaptureQueriesContext(connection) as queries:
        assert list(pages.page(1).object_list) == []
        assert (pages.count, pages.num_pages) == (0, 1)
    assert len(queries) == 1


def test_a_list_longer_than_the_cap_says_more_than_the_cap(db, sre, client_for, monkeypatch):
    for _ in range(4):
        DrillFactory()
    monkeypatch.setattr(paginator, "COUNT_CAP", 3)
    page = client_for(sre).get("/drills/list/").content.decode()
    assert "More than 3 in all." in page
    monkeypatch.setattr(paginator, "COUNT_CAP", 10)
    assert "4 in all." in client_for(sre).get("/drills/list/").content.decode()


def test_the_large_admin_changelists_never_count_the_whole_table():
    for model in (Drill, DrillReport, Action):
        model_admin = admin.site._registry[model]
        assert model_admin.show_full_result_count is False
        assert model_admin.paginator is CappedPaginator


def test_the_drill_changelist_counts_with_a_limit(db, client_for, srelead):
    srelead.is_staff = True
    srelead.is_superuser = True
    srelead.save()
    DrillFactory()
    client = client_for(srelead)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/drills/drill/").status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT" in sql for sql in counts), counts


def test_the_action_changelist_filters_by_source_without_a_distinct_over_every_action(
    db, client_for, srelead
):
    srelead.is_staff = True
    srelead.is_superuser = True
    srelead.save()
    report = DrillReportFactory()
    action_services.action_create(actor=srelead, title="Patch the runbook", source=report)
    client = client_for(srelead)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/admin/actions/action/", {"source_kind": "drill_report"})
    assert page.status_code == 200 and "Patch the runbook" in page.content.decode()
    assert "Post-mortems" in page.content.decode()  # the filter's choices come from the registry
    assert not [q for q in queries.captured_queries if "DISTINCT" in q["sql"].upper()]
    other = client.get("/admin/actions/action/", {"source_kind": "postmortem"})
    assert "Patch the runbook" not in other.content.decode()


def test_owner_choices_are_the_people_who_own_an_action_without_distinct(db, sre, srelead):
    report = DrillReportFactory()
    for _ in range(3):
        action_services.action_create(actor=sre, title="Fix", source=report, owner=sre)
    action_services.action_create(actor=sre, title="Nobody's", source=report)
    action_services.actions_accept(actor=sre, source=report)  # as its submission does: live
    with CaptureQueriesContext(connection) as queries:
        owners = list(action_selectors.action_owners())
    assert owners == [sre]
    (query,) = queries.captured_queries
    assert "DISTINCT" not in query["sql"].upper() and "EXISTS" in query["sql"].upper()


def test_postgresql_connections_persist_and_are_checked_before_reuse():
    database = settings.DATABASES["default"]
    assert database["ENGINE"].endswith("postgresql")
    assert database["CONN_MAX_AGE"] == 60 and database["CONN_HEALTH_CHECKS"] is True


def test_the_large_admin_changelists_offer_no_date_hierarchy_that_scans_the_whole_table():
    from django.contrib import admin

    from bcp_portal.actions.models import Action
    from drills.models import Drill, DrillReport

    for model in (Drill, DrillReport, Action):
        assert admin.site._registry[model].date_hierarchy is None, model.__name__
