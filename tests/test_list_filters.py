"""Every list's filters are validated: a malformed value is an error on that parameter, never
a 500 and never a silent "match everything".

The parameters come from the FilterSets each page and API use, so a filter added later is
fed the same malformed values without touching this file.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from bcp_portal.actions.models import Action
from bcp_portal.api.urls import router
from bcp_portal.core import filters, roles
from tests.actions.factories import ActionFactory
from tests.factories import ServiceFactory, UserFactory

HUGE = str(10**20)
REPEATED = object()
MALFORMED = [
    HUGE,
    "-1",
    "abc",
    "9999-12",
    "0001-01",
    "9999-Q4",
    "2026-Q9",
    "ünïcødé ✓ 日本",
    "x" * 2000,
    "a\x00b",
    "",
    REPEATED,
]


@dataclass(frozen=True)
class Listing:
    url: str
    filterset: type[filters.PortalFilterSet]
    api: bool = False
    without: tuple[str, ...] = field(default=())
    paged: bool = True

    @property
    def params(self) -> list[str]:
        return [name for name in self.filterset.base_filters if name not in self.without]


def _routes(patterns=None, prefix=""):
    """(path, view) of every route in the URL conf that takes no argument."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        text = str(pattern.pattern)
        if isinstance(pattern.pattern, RegexPattern):
            text = text.removeprefix("^").removesuffix("$")  # the API router's routes
        route = prefix + text
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif not pattern.pattern.regex.groups and not re.search(r"[<^$()\[\]\\*+?]", route):
            yield "/" + route, pattern.callback


# Every page marked with the FilterSet it reads (`core.filters.filtered_by`), and every API
# list with a `filterset_class`: a list added later is fed the same values unlisted here.
PAGES = [
    Listing(url, view.filterset_class, without=view.filterset_without)
    for url, view in _routes()
    if hasattr(view, "filterset_class") and not url.startswith("/api/")
]
APIS = [
    Listing(
        f"/api/v1/{prefix}",
        viewset.filterset_class,
        api=True,
        paged=getattr(viewset, "pagination_class", True) is not None,
    )
    for prefix, viewset, _ in router.registry
    if getattr(viewset, "filterset_class", None)
]
CASES = [
    pytest.param(listing, name, id=f"{listing.url}?{name}")
    for listing in PAGES + APIS
    for name in listing.params
]


def test_every_list_page_and_api_list_is_found_from_the_url_conf():
    assert {listing.url for listing in PAGES} >= {
        "/drills/",
        "/drills/list/",
        "/drills/reports/",
        "/actions/",
        "/actions/mine/",
        "/services/",
        "/contacts/",
        "/incidents/",
    }
    assert {listing.url for listing in APIS} >= {
        "/api/v1/drills",
        "/api/v1/drill-reports",
        "/api/v1/actions",
        "/api/v1/services",
        "/api/v1/incidents",
    }


def _all_filtersets(cls=filters.PortalFilterSet):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_filtersets(sub)


# Every parameter any list reads, plus the ones pages and the API read outside FilterSets.
EVERY_PARAMETER = sorted(
    {name for filterset in _all_filtersets() for name in filterset.base_filters}
    | {"page", "cursor", "page_size", "date", "year", "month", "next"}
)
# "²" passes str.isdigit() but not int(); Arabic-Indic digits match a bare \\d.
HOSTILE = ["a\x00b", "²", "\u0662\u0660\u0662\u0666-\u0660\u0661", "99999-01", HUGE]


@pytest.mark.parametrize("url", sorted({url for url, _ in _routes()}))
def test_no_route_answers_500_to_any_list_parameter_holding_a_hostile_value(db, client_for, url):
    # A superuser with a wide role: the admin's changelists and every page answer in full.
    client = client_for(UserFactory(is_staff=True, is_superuser=True, roles=[roles.SRE_LEAD]))
    for value in HOSTILE:
        response = client.get(url, dict.fromkeys(EVERY_PARAMETER, value))
        assert response.status_code < 500, (url, value)
        if "\x00" in value:
            assert response.status_code == 400, url


def _must_be_refused(listing: Listing, name: str, value) -> bool:
    """Free text takes almost anything; every other filter refuses all of MALFORMED but ''."""
    if value is REPEATED:
        return True
    if isinstance(listing.filterset.base_filters[name], filters.SearchFilter):
        return len(value) > filters.SEARCH_MAX_LENGTH or "\x00" in value
    return value != ""


def _get(client, listing: Listing, name: str, value):
    query = {name: ["1", "2"] if value is REPEATED else value}
    return client.get(listing.url, query)


def assert_refused(response, listing: Listing, name: str, value=None):
    assert response.status_code == 400, (listing.url, name)
    if not listing.api and isinstance(value, str) and "\x00" in value:
        # Refused by the request guard before the page runs: a short page naming it.
        assert f"The query parameter “{name}” holds a NUL character" in response.content.decode()
        return
    if listing.api:
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert name in error["fields"], error
        assert name in error["message"]
    else:
        page = response.content.decode()
        # The error sits by its field (or in the form when it has no control of its own) ...
        assert f'id="{name}-error"' in page
        # ... inside the whole page: navigation, the filter form, nothing else broken.
        assert 'role="search"' in page and "<nav" in page


@pytest.mark.parametrize("listing, name", CASES)
def test_every_filter_refuses_malformed_values_with_an_error_naming_it(
    db, client_for, listing, name
):
    # An SRE who is also the DPO: every list, the notification clocks' too, answers them.
    client = client_for(UserFactory(roles=[roles.SRE, roles.DPO]))
    for value in MALFORMED:
        response = _get(client, listing, name, value)
        assert response.status_code in (200, 400), (listing.url, name, value[:20])
        if _must_be_refused(listing, name, value):
            assert_refused(response, listing, name, value)
        else:
            assert response.status_code == 200, (listing.url, name, value[:20])


@pytest.mark.parametrize(
    "url, name",
    [
        ("/drills/?month=9999-12", "month"),
        ("/drills/?month=0001-01", "month"),
        ("/drills/list/?quarter=9999-Q4", "quarter"),
        ("/api/v1/drills?quarter=9999-Q4", "quarter"),
        ("/actions/?owner=99999999999999999999999", "owner"),
        ("/api/v1/drills?participant=99999999999999999999999", "participant"),
    ],
)
def test_the_values_that_answered_500_now_name_their_parameter(client_for, sre, url, name):
    response = client_for(sre).get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert name in response.json()["error"]["fields"]
    else:
        assert f'id="{name}-error"' in response.content.decode()


def test_a_page_with_a_bad_filter_keeps_what_the_user_typed_and_says_what_is_allowed(
    client_for, sre
):
    response = client_for(sre).get("/actions/", {"q": "backup", "status": "bogus"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="backup"' in page
    assert '<option value="bogus" selected>' in page
    assert "Choose one of “active”, “open”, “in_progress”, “done”, “cancelled”." in page


def test_the_api_error_says_which_years_a_quarter_may_have(client_for, sre):
    response = client_for(sre).get("/api/v1/drills", {"quarter": "9999-Q4"})
    assert response.json()["error"]["fields"]["quarter"] == [
        "Give a quarter as YYYY-Qn (n from 1 to 4), from 1900-Q1 to 2999-Q4."
    ]


def test_an_id_beyond_the_users_id_column_is_refused_and_one_within_it_matches_nothing(
    client_for, sre
):
    client = client_for(sre)
    top = filters.pk_max(get_user_model())
    assert client.get("/api/v1/actions", {"owner": str(top + 1)}).status_code == 400
    response = client.get("/api/v1/actions", {"owner": str(top)})
    assert response.status_code == 200 and response.json()["results"] == []


def test_valid_filters_still_filter_on_the_page_and_in_the_api(client_for, sre):
    mine = ActionFactory(title="Mine and late", owner=sre, due_date=date(2020, 1, 1))
    ActionFactory(title="Nobody's", owner=None, due_date=None)
    ActionFactory(title="Done already", owner=sre, status=Action.Status.DONE)
    client = client_for(sre)

    api = client.get("/api/v1/actions", {"owner": str(sre.pk), "status": "active"})
    assert [row["id"] for row in api.json()["results"]] == [mine.pk]
    assert [r["title"] for r in client.get("/api/v1/actions?owner=none").json()["results"]] == [
        "Nobody's"
    ]
    page = client.get("/actions/", {"overdue": "1", "q": "late"})
    assert page.status_code == 200
    assert [row.action for row in page.context["rows"]] == [mine]


def test_valid_service_filters_still_filter_with_either_name_for_retired_entries(client_for, sre):
    ServiceFactory(name="Payments", kind="service")
    ServiceFactory(name="Old ledger", kind="service", is_active=False)
    client = client_for(sre)
    names = [row["name"] for row in client.get("/api/v1/services").json()["results"]]
    assert names == ["Payments"]
    response = client.get("/api/v1/services", {"include_inactive": "true", "search": "ledger"})
    assert [row["name"] for row in response.json()["results"]] == ["Old ledger"]
    page = client.get("/services/", {"inactive": "1", "q": "ledger"})
    assert [s.name for s in page.context["page"].object_list] == ["Old ledger"]


PAGED = [listing for listing in PAGES if listing.url != "/drills/"]  # the month view has none
# The DR metrics are figures, not a list: no pages (the API answers one object).
PAGED = [listing for listing in PAGED if not listing.url.startswith("/incidents/metrics/")]
PAGED_APIS = [listing for listing in APIS if listing.paged]


@pytest.mark.parametrize("listing", PAGED, ids=lambda listing: listing.url)
def test_a_page_number_that_names_no_page_is_a_400_naming_it_above_the_list(
    db, client_for, listing
):
    # An SRE who is also the DPO: every list page, the compliance desk's too, answers them.
    client = client_for(UserFactory(roles=[roles.SRE, roles.DPO]))
    # (A NUL never reaches the list: the request guard refuses it first, test_request_guard.)
    for value in ["abc", "0", "-1", "2.0", "ü", HUGE, "2", ["1", "2"]]:
        response = client.get(listing.url, {"page": value})
        assert response.status_code == 400, value
        page = response.content.decode()
        error = page.split('id="page-error" role="alert">')[1].split("</div>")[0]
        assert "“page" in error and "from 1 to 1. Showing page 1." in error, error
        assert 'role="search"' in page and "<nav" in page
    for value in ["", "1"]:
        response = client.get(listing.url, {"page": value})
        assert response.status_code == 200 and 'id="page-error"' not in response.content.decode()


def test_a_page_past_the_end_shows_the_last_page_with_the_error(client_for, sre):
    ActionFactory.create_batch(30, owner=sre)
    response = client_for(sre).get("/actions/", {"page": "7"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "“page=7” is not a page of this list: give a whole number from 1 to 2." in page
    assert "Showing page 2." in page and "Page 2 of 2" in page


def _cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


@pytest.mark.parametrize("listing", PAGED_APIS, ids=lambda listing: listing.url)
def test_a_malformed_cursor_or_page_size_is_a_400_naming_it(client_for, sre, listing):
    client = client_for(UserFactory(roles=[roles.SRE, roles.DPO]))
    # The services are paged by name: any text without a NUL byte is a position there.
    by_id = [] if listing.url == "/api/v1/services" else [_cursor("p=abc"), _cursor(f"p={HUGE}")]
    for cursor in [
        *by_id,
        "abc",
        "!!!",
        "ünï",
        _cursor("p=a\x00b"),
        _cursor("o=x"),
        _cursor("r=x"),
        "x" * 2000,
    ]:
        response = client.get(listing.url, {"cursor": cursor})
        assert response.status_code == 400, cursor
        assert "cursor" in response.json()["error"]["fields"]
    response = client.get(listing.url, {"cursor": ["a", "b"]})
    assert response.status_code == 400
    for size in ["0", "-1", "abc", HUGE + "x", "ü", "", "201", HUGE]:
        response = client.get(listing.url, {"page_size": size})
        assert response.status_code == 400, size
        assert "page_size" in response.json()["error"]["fields"]


@pytest.mark.parametrize("listing", APIS, ids=lambda listing: listing.url)
def test_the_api_schema_documents_every_filter_of_every_list(listing):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][listing.url]["get"]
    documented = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    assert set(listing.params) | ({"cursor", "page_size"} if listing.paged else set()) <= documented


@pytest.mark.parametrize("listing", PAGED_APIS, ids=lambda listing: listing.url)
def test_the_api_schema_gives_the_range_of_page_size_it_enforces(listing):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = schema["paths"][listing.url]["get"]["parameters"]
    page_size = next(p for p in parameters if p["name"] == "page_size")
    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}
    assert "1 to 200" in page_size["description"]


def test_the_catalogue_pdf_with_a_bad_filter_goes_back_to_the_list_showing_it(client_for, sre):
    client = client_for(sre)
    response = client.get("/services/catalogue.pdf", {"kind": "bogus"})
    assert response.status_code == 302 and response["Location"] == "/services/?kind=bogus"
    assert 'id="kind-error"' in client.get(response["Location"]).content.decode()
