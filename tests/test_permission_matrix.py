"""Every route, every persona: the permission matrix in tests/permission_matrix.py, checked.

Routes come from the URL resolver, so a new page or API endpoint without a row fails here.
The `admin:` namespace is left out on purpose: Django's admin guards every page itself
(`is_staff`, then the model permissions of each ModelAdmin), and its URLs are generated per
registered model, so a row per admin URL would restate Django; two tests below check the
guard instead. Static and media files are not views and are left out too.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from unittest.mock import patch
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import (
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    include,
    path,
    reverse,
)
from knox.models import AuthToken
from matplotlib.figure import Figure
from weasyprint import HTML

from bcp_portal.core import charts, roles
from tests.conftest import PERSONA_ROLES, PERSONAS, make_persona
from tests.factories import UserFactory
from tests.permission_matrix import ANONYMOUS, COLUMNS, MATRIX, METHODS, Route, parse_grid
from tests.twofactor import sign_in_verified

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Tokens are how a read-only auditor reads the API at all; they change no records.
TOKEN_ROUTES = {"api:token-login", "api:token-logout", "api:token-logoutall"}


# --- discovering routes -----------------------------------------------------------------


@dataclass(frozen=True)
class FoundRoute:
    name: str | None
    pattern: str
    callback: object

    @property
    def is_api(self) -> bool:
        """A DRF view: refusals are 401/403 in the error shape, not a login redirect."""
        return hasattr(self.callback, "cls")

    @property
    def methods(self) -> set[str] | None:
        """The methods the view implements, or None when it cannot tell (function views)."""
        view_class = getattr(self.callback, "cls", None) or getattr(
            self.callback, "view_class", None
        )
        if view_class is None:
            return None
        actions = getattr(self.callback, "actions", None)
        names = (
            set(actions) & set(view_class.http_method_names)
            if actions
            else {m for m in view_class.http_method_names if hasattr(view_class, m)}
        )
        return {m.upper() for m in names} - {"HEAD", "OPTIONS"}


def _skipped_prefixes() -> tuple[str, ...]:
    """Where static and media files would be routed (DEBUG helpers); an unset one is "/"."""
    prefixes = (url.lstrip("/") for url in (settings.STATIC_URL, settings.MEDIA_URL))
    return tuple(prefix for prefix in prefixes if prefix)


def discover_routes(urlconf: str | None = None) -> list[FoundRoute]:
    """Every route of the URL configuration, with its namespaced name, admin left out."""
    found: list[FoundRoute] = []
    skipped = _skipped_prefixes()

    def walk(patterns, namespaces: tuple[str, ...], prefix: str) -> None:
        for entry in patterns:
            pattern = prefix + str(entry.pattern)
            if skipped and pattern.startswith(skipped):
                continue
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
                walk(entry.url_patterns, inner, pattern)
            elif isinstance(entry, URLPattern):
                name = ":".join((*namespaces, entry.name)) if entry.name else None
                found.append(FoundRoute(name, pattern, entry.callback))

    walk(get_resolver(urlconf).url_patterns, (), "")
    return found


def matrix_problems(routes: list[FoundRoute], matrix: dict[str, Route]) -> list[str]:
    """What is missing or wrong in the matrix for these routes; empty when it is complete."""
    problems = []
    names = set()
    for route in routes:
        if route.name is None:
            problems.append(
                f"the route “{route.pattern}” has no name: name it and add a row for it"
            )
            continue
        names.add(route.name)
        entry = matrix.get(route.name)
        if entry is None:
            problems.append(
                f"{route.name} (“{route.pattern}”) has no row in tests/permission_matrix.py"
            )
            continue
        grids = entry.grids()
        if not grids:
            problems.append(f"{route.name}: the row lists no method")
        for method, grid in grids.items():
            try:
                parse_grid(grid)
            except ValueError as exc:
                problems.append(f"{route.name} {method} {exc}")
        if route.methods is not None and set(grids) != route.methods:
            problems.append(
                f"{route.name}: the view accepts {sorted(route.methods)}, "
                f"the row lists {sorted(grids)}"
            )
    for stale in sorted(set(matrix) - names):
        problems.append(f"{stale} has a row but no such route exists")
    return problems


ROUTES = discover_routes()


# --- the completeness checks --------------------------------------------------------------


def test_every_route_has_a_row_for_every_persona_and_method():
    problems = matrix_problems(ROUTES, MATRIX)
    assert not problems, "The permission matrix is incomplete:\n" + "\n".join(problems)


def test_the_matrix_columns_are_the_personas_and_anonymous():
    assert (*PERSONAS, ANONYMOUS) == COLUMNS


def test_every_role_has_a_persona():
    assert set(roles.ALL_ROLES) <= set(PERSONA_ROLES.values())


# A URL configuration with the real one plus routes nobody added a row for.
def _unlisted_view(request):
    return HttpResponse("unlisted")


urlpatterns = [
    path("", include(settings.ROOT_URLCONF)),
    path("unlisted/", _unlisted_view, name="unlisted-page"),
    path("extra/", include(([path("thing", _unlisted_view, name="thing")], "extra"))),
    path("nameless/", _unlisted_view),
]


def _new_problems(routes: list[FoundRoute], matrix: dict[str, Route]) -> list[str]:
    """Problems beyond those of the real routes and matrix (reported by the test above)."""
    known = set(matrix_problems(ROUTES, MATRIX))
    return [p for p in matrix_problems(routes, matrix) if p not in known]


def test_adding_a_route_without_a_row_fails_the_matrix():
    problems = _new_problems(discover_routes(__name__), MATRIX)

    assert sorted(problems) == [
        "extra:thing (“extra/thing”) has no row in tests/permission_matrix.py",
        "the route “nameless/” has no name: name it and add a row for it",
        "unlisted-page (“unlisted/”) has no row in tests/permission_matrix.py",
    ]


def test_a_row_missing_a_persona_fails_the_matrix():
    matrix = dict(MATRIX)
    matrix["dashboard"] = Route(get="Y Y Y Y Y Y Y Y")  # anonymous forgotten

    assert _new_problems(ROUTES, matrix) == [
        "dashboard GET has 8 marks for 9 personas "
        "(sre srelead engmgr cto dpo legal auditor outsider anonymous); "
        "personas without a mark: anonymous"
    ]


def test_a_row_missing_a_method_the_view_accepts_fails_the_matrix():
    matrix = dict(MATRIX)
    matrix["api:service-list"] = Route(get=MATRIX["api:service-list"].get)

    assert _new_problems(ROUTES, matrix) == [
        "api:service-list: the view accepts ['GET', 'POST'], the row lists ['GET']"
    ]


def test_a_row_for_a_route_that_no_longer_exists_fails_the_matrix():
    matrix = {**MATRIX, "catalogue:service-delete": Route(get="- - - - - - - - -")}

    assert _new_problems(ROUTES, matrix) == [
        "catalogue:service-delete has a row but no such route exists"
    ]


# --- calling every route as every persona -----------------------------------------------
#
# The callers are built and signed in once per module (`callers`), inside a transaction
# that is rolled back when the module ends; each test's transaction (the `db` fixture) is a
# savepoint inside it, and each call one more, rolled back at once: what one call changes
# never reaches the next. A signed-in caller sends its session cookie with a fresh client,
# so nothing a response sets carries over either.

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# What PDF layout and chart drawing give every caller after the first that drew something
# for a route and method (see `check_route`).
STUB_PDF = b"%PDF-1.7\n% drawn once per route and method by the permission matrix\n%%EOF\n"
STUB_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Users are made per test too (kwargs factories): keep the real hasher out."""
    settings.PASSWORD_HASHERS = FAST_HASHER


@dataclass(frozen=True)
class Caller:
    """One column of the matrix: a persona and its session, or anonymous (no user)."""

    name: str
    user: object | None = None
    session_key: str = ""

    def client(self, via: str = "session") -> Client:
        if self.user is None:
            return Client()
        if via == "token":
            _, token = AuthToken.objects.create(user=self.user)
            return Client(HTTP_AUTHORIZATION=f"Token {token}")
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = self.session_key
        return client


def _sign_in(name: str) -> Caller:
    user = make_persona(name)
    client = Client()
    sign_in_verified(client, user)
    return Caller(name, user, client.cookies[settings.SESSION_COOKIE_NAME].value)


@pytest.fixture(scope="module")
def callers(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[dict[str, Caller]]:
    """Every column's caller, each persona created and signed in once for the module.

    Files the kwargs factories store (a finished task's report) go to a temporary folder.
    """
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix-media"))
    media.enable()
    module_transaction = transaction.atomic()
    with django_db_blocker.unblock():
        module_transaction.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHER):
                found = {name: _sign_in(name) for name in PERSONAS}
        except BaseException:
            module_transaction.__exit__(*sys.exc_info())
            raise
    found[ANONYMOUS] = Caller(ANONYMOUS)
    try:
        yield found
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            module_transaction.__exit__(None, None, None)
        media.disable()


@pytest.fixture
def everyone(db, callers) -> dict[str, Caller]:
    return callers


def _call(route: FoundRoute, entry: Route, method: str, caller: Caller):
    """One request, in a savepoint rolled back right after (the response is complete)."""
    user = caller.user
    with transaction.atomic():
        try:
            kwargs = entry.kwargs(user) if entry.kwargs else {}
            url = reverse(route.name, kwargs=kwargs)
            client = caller.client(entry.via)
            data = entry.data(user) if entry.data else {}
            headers = entry.headers(user) if entry.headers else {}
            if method == "GET":
                return client.get(url, data, **headers)
            if route.is_api or entry.headers:
                return client.generic(
                    method, url, json.dumps(data), content_type="application/json", **headers
                )
            if method == "POST":
                return client.post(url, data)
            return client.generic(method, url)
        finally:
            transaction.set_rollback(True)


@contextlib.contextmanager
def _drawing(*, real: bool) -> Iterator[list[int]]:
    """The two costly drawing steps, WeasyPrint's PDF layout and matplotlib's chart
    rendering, for real (yields [how many ran]) or answering STUB_PDF / STUB_SVG."""
    drawn = [0]
    write_pdf, savefig = HTML.write_pdf, Figure.savefig
    if real:

        def pdf(self, *args, **kwargs):
            drawn[0] += 1
            return write_pdf(self, *args, **kwargs)

        def chart(self, *args, **kwargs):
            drawn[0] += 1
            return savefig(self, *args, **kwargs)

    else:

        def pdf(self, *args, **kwargs):
            return STUB_PDF

        def chart(self, fname, *args, **kwargs):
            fname.write(STUB_SVG)  # the portal draws charts into a buffer (bcp_portal.charts)

    # Charts keep their drawings (bcp_portal.core.charts): forget them on the way in, so a
    # real call draws, and on the way out, so no stub drawing outlives the stub.
    charts.forget_drawings()
    try:
        with patch.object(HTML, "write_pdf", pdf), patch.object(Figure, "savefig", chart):
            yield drawn
    finally:
        charts.forget_drawings()


def _is_login_redirect(response) -> bool:
    """A redirect to the login page asking the caller to sign in (`?next=`)."""
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    location = urlparse(response["Location"])
    return location.path == reverse("login") and "next=" in location.query


def _verdict(route: FoundRoute, entry: Route, persona: str, allowed: bool, response) -> str | None:
    """None when the response matches the mark, else what went wrong."""
    status = response.status_code
    if allowed and entry.allowed_status is not None:
        if status == entry.allowed_status:
            return None
        return f"answered {status}, expected {entry.allowed_status} ({_excerpt(response)})"
    if allowed:
        if 200 <= status < 300:
            return None
        if 300 <= status < 400:
            return "redirected to the login page" if _is_login_redirect(response) else None
        if status in (401, 403):
            return f"refused with {status}"
        if status == 405:
            return "answered 405: the view does not take this method"
        return f"answered {status}, expected 2xx or a redirect ({_excerpt(response)})"
    if route.is_api:
        expected = 401 if persona == ANONYMOUS else 403
        if status != expected:
            return f"answered {status}, expected {expected}"
        body = response.json()
        if not {"code", "message"} <= set(body.get("error", {})):
            return f"refused without the error shape: {body}"
        return None
    if persona == ANONYMOUS:
        return None if _is_login_redirect(response) else f"answered {status}, not a login redirect"
    expected = entry.refused_status
    return None if status == expected else f"answered {status}, expected {expected}"


def _excerpt(response) -> str:
    """Enough of a response body to tell why a call failed: the JSON, or the page title."""
    if getattr(response, "streaming", False):
        return "a streamed body"
    text = response.content.decode(errors="replace")
    title = re.search(r"<title>(.*?)</title>", text, re.DOTALL)
    return title.group(1).strip() if title else text[:300]


def check_route(route: FoundRoute, entry: Route, everyone: dict[str, Caller]) -> list[str]:
    """Call the route as every persona, by every method of its row; list the mismatches.

    PDFs and charts are drawn for real until one caller of the method has drawn them; for
    the callers after it the drawing steps return STUB_PDF and STUB_SVG, so a PDF or chart
    route costs one drawing rather than one per allowed persona. Everything else (the
    permission checks, the queries, the templates) runs for every caller, and every
    caller's answer is judged against its mark.
    """
    failures = []
    for method, grid in entry.grids().items():
        drawn = 0
        for persona, allowed in parse_grid(grid).items():
            with _drawing(real=not drawn) as count:
                response = _call(route, entry, method, everyone[persona])
            drawn += count[0]
            problem = _verdict(route, entry, persona, allowed, response)
            if problem:
                mark = "allowed" if allowed else "refused"
                failures.append(f"{method} as {persona} ({mark} in the matrix): {problem}")
    return failures


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name or r.pattern)
def test_each_persona_gets_what_the_matrix_says(route, everyone):
    entry = MATRIX.get(route.name)
    if entry is None:
        pytest.fail(f"{route.name or route.pattern} has no row in tests/permission_matrix.py")
    failures = check_route(route, entry, everyone)
    assert not failures, f"{route.name}:\n" + "\n".join(failures)


def test_a_wrong_mark_is_reported_with_the_route_method_and_persona(everyone):
    route = next(r for r in ROUTES if r.name == "api:service-list")
    wrong = Route(post="Y - - - - - - - Y")  # sre, srelead and anonymous all wrong

    assert check_route(route, wrong, everyone) == [
        "POST as sre (allowed in the matrix): refused with 403",
        "POST as srelead (refused in the matrix): answered 400, expected 403",
        "POST as anonymous (allowed in the matrix): refused with 401",
    ]


def test_a_pdf_is_laid_out_once_and_every_persona_still_judged(everyone):
    route = next(r for r in ROUTES if r.name == "catalogue:service-catalogue-pdf")
    everybody = Route(get="Y Y Y Y Y Y Y Y Y")  # outsider and anonymous wrong
    render, layouts = HTML.render, []

    def counted(self, *args, **kwargs):
        layouts.append(self)
        return render(self, *args, **kwargs)

    with patch.object(HTML, "render", counted):
        failures = check_route(route, everybody, everyone)

    assert len(layouts) == 1
    assert failures == [
        "GET as outsider (allowed in the matrix): refused with 403",
        "GET as anonymous (allowed in the matrix): redirected to the login page",
    ]


@pytest.mark.parametrize(
    "route",
    [r for r in ROUTES if r.is_api and r.name not in TOKEN_ROUTES and r.methods - SAFE_METHODS],
    ids=lambda r: r.name,
)
def test_the_auditor_can_change_nothing_through_the_api(route, everyone):
    # Checked even before the route has its row, as long as its URL takes no arguments.
    entry = MATRIX.get(route.name, Route())
    for method in sorted(route.methods - SAFE_METHODS):
        try:
            response = _call(route, entry, method, everyone["auditor"])
        except NoReverseMatch:
            pytest.fail(f"{route.name} needs a row with `kwargs=` in tests/permission_matrix.py")
        assert response.status_code == 403, (route.name, method, response.status_code)


def test_the_matrix_refuses_the_auditor_every_unsafe_api_method():
    writable = [
        f"{name} {method}"
        for name, entry in MATRIX.items()
        if name.startswith("api:") and name not in TOKEN_ROUTES
        for method, grid in entry.grids().items()
        if method not in SAFE_METHODS and parse_grid(grid)["auditor"]
    ]
    assert writable == []


# --- the admin, which guards itself -------------------------------------------------------


def test_admin_sends_a_signed_in_non_staff_persona_to_the_admin_login(client_for, sre):
    response = client_for(sre).get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_admin_shows_a_staff_member_without_model_permissions_no_models(client_for, db):
    staff = UserFactory(is_staff=True)
    client = client_for(staff)

    index = client.get(reverse("admin:index"))
    changelist = client.get(reverse("admin:catalogue_service_changelist"))

    assert index.status_code == 200
    assert index.context["app_list"] == []
    assert changelist.status_code == 403


# --- methods a route does not take ----------------------------------------------------------
#
# Issue #8, item 11: read-only pages and exports accepted POST, PUT and DELETE (and form
# pages PUT and DELETE), answering as if to GET. Every method a row does not list answers
# 405, whoever asks, so the matrix's rows are exactly what each route takes.

ALL_METHODS = {m.upper() for m in METHODS}


# Django's own password-reset-confirm view answers an invalid link's page before it looks at
# the method (it changes nothing); the account pages are another part of issue #8.
ANSWERS_BEFORE_THE_METHOD = {"password_reset_confirm"}


def _a_caller_of(entry: Route) -> str:
    """Anonymous where the row allows it (Django's login view sends a signed-in caller on
    whatever the method), else a persona it allows: the 405 must not hide behind a 403.
    A row no persona may use (a staff-only dashboard panel: no persona is staff) is called
    by the first signed-in persona."""
    allowed = [
        persona for grid in entry.grids().values() for persona, ok in parse_grid(grid).items() if ok
    ]
    if ANONYMOUS in allowed:
        return ANONYMOUS
    return allowed[0] if allowed else COLUMNS[0]


@pytest.mark.parametrize(
    "route",
    [
        r
        for r in ROUTES
        if r.name in MATRIX
        and r.name not in ANSWERS_BEFORE_THE_METHOD
        and MATRIX[r.name].allowed_status is None
        and ALL_METHODS - set(MATRIX[r.name].grids())
    ],
    ids=lambda r: r.name,
)
def test_every_method_a_row_does_not_list_answers_405(route, everyone):
    entry = MATRIX[route.name]
    caller = everyone[_a_caller_of(entry)]
    answers = {}
    for method in sorted(ALL_METHODS - set(entry.grids())):
        with _drawing(real=False):
            answers[method] = _call(route, entry, method, caller).status_code
    assert answers == dict.fromkeys(answers, 405), f"{route.name} as {caller.name}: {answers}"
