"""`detail_url` gives exactly what `reverse()` gives, for every model page that uses it."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from bcp_portal.core.links import detail_url
from tests.actions.factories import ActionFactory
from tests.drills.factories import DrillFactory
from tests.drills.report_factories import DrillReportFactory
from tests.factories import ContactFactory, ServiceFactory

ROUTES = [
    "actions:action-detail",
    "contacts:contact-detail",
    "catalogue:service-detail",
    "drills:drill-detail",
    "drills:report-detail",
]


@pytest.mark.parametrize("name", ROUTES)
@pytest.mark.parametrize("pk", [1, 42, 99_999, 2**31 - 1])
def test_a_detail_url_is_what_reverse_gives(name, pk):
    assert detail_url(name, pk) == reverse(name, args=[pk])


def test_a_detail_url_follows_the_script_prefix_of_the_request():
    try:
        set_script_prefix("/portal/")
        assert detail_url("drills:drill-detail", 7) == "/portal/drills/7/"
        assert detail_url("drills:drill-detail", 7) == reverse("drills:drill-detail", args=[7])
    finally:
        set_script_prefix("/")
    assert detail_url("drills:drill-detail", 7) == "/drills/7/"


def test_a_route_without_one_id_in_its_path_is_refused():
    with pytest.raises(NoReverseMatch):
        detail_url("dashboard", 1)


def test_each_model_links_its_page_through_it(db):
    rows = {
        "actions:action-detail": ActionFactory(),
        "contacts:contact-detail": ContactFactory(),
        "catalogue:service-detail": ServiceFactory(),
        "drills:drill-detail": DrillFactory(),
        "drills:report-detail": DrillReportFactory(),
    }
    for name, row in rows.items():
        assert row.get_absolute_url() == reverse(name, args=[row.pk])
