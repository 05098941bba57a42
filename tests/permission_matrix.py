"""The permission matrix: for every named route, which persona may use it, per method.

`tests/test_permission_matrix.py` walks the URL resolver (web pages and the API router
alike, everything except the `admin:` namespace) and fails for a route with no row here,
for a row whose grid misses a persona, for a row naming a route that no longer exists, and
for any persona the running code treats differently from its grid.

How a later issue adds its rows
-------------------------------
1. Add one `Route(...)` per new URL name to `MATRIX`, in the block of its app. Names are
   namespaced as in `reverse()`: "catalogue:service-list", "api:service-detail".
2. Give one grid per method the route accepts: `get=`, `post=`, `put=`, `patch=`,
   `delete=`. A grid is nine marks, one per column of `COLUMNS`, in that order:
   `Y` allowed, `-` refused. For class-based and DRF views the test knows the methods and
   requires exactly those grids (HEAD and OPTIONS follow GET and are not listed); for
   function views list every method the view handles, GET included.
3. If the URL takes arguments, `kwargs=` is a factory `(user) -> dict` that builds what
   they point at (`user` is the persona making the request, None for anonymous), so the
   page can answer 200 for an allowed persona. `data=` builds a request body the same way
   (default: empty, which is enough to get past the permission check to a form error).
4. Token-only endpoints set `via="token"`: the persona then calls with a knox token
   instead of a session.

What the marks mean when the test calls the route:
    Y  the status is not 401, 403 or 405, and not a redirect to the login page.
    -  web page: 403 for a signed-in persona, a redirect to the login page for anonymous;
       API (DRF) route: 403 for a signed-in persona, 401 for anonymous, in the error shape.

A new persona (a new role) is a new column: add it to `COLUMNS` and to every grid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bcp_portal.core.models import TaskProgress
from drills.models import CalendarFeedToken
from tests.actions.factories import ActionFactory
from tests.drills.factories import CalendarFeedTokenFactory, DrillFactory, DrillScheduleFactory
from tests.drills.report_factories import DrillReportFactory
from tests.factories import ContactFactory, ServiceFactory, UserFactory

ANONYMOUS = "anonymous"
COLUMNS = ("sre", "srelead", "engmgr", "cto", "dpo", "legal", "auditor", "outsider", ANONYMOUS)
METHODS = ("get", "post", "put", "patch", "delete")
ALLOWED, REFUSED = "Y", "-"


@dataclass(frozen=True)
class Route:
    get: str | None = None
    post: str | None = None
    put: str | None = None
    patch: str | None = None
    delete: str | None = None
    kwargs: Callable[..., dict] | None = None
    data: Callable[..., dict] | None = None
    via: str = "session"

    def grids(self) -> dict[str, str]:
        """Method (upper case) to its grid, for the methods this row lists."""
        return {m.upper(): grid for m in METHODS if (grid := getattr(self, m)) is not None}


def parse_grid(grid: str) -> dict[str, bool]:
    """'Y - Y …' to {persona: allowed}; ValueError saying what is wrong."""
    marks = grid.split()
    if len(marks) != len(COLUMNS):
        missing = ", ".join(COLUMNS[len(marks) :]) or "none"
        raise ValueError(
            f"has {len(marks)} marks for {len(COLUMNS)} personas "
            f"({' '.join(COLUMNS)}); personas without a mark: {missing}"
        )
    unknown = sorted({m for m in marks if m not in (ALLOWED, REFUSED)})
    if unknown:
        raise ValueError(f"has marks other than {ALLOWED!r} and {REFUSED!r}: {unknown}")
    return {persona: mark == ALLOWED for persona, mark in zip(COLUMNS, marks, strict=True)}


# --- kwargs factories --------------------------------------------------------------------


def _service(user) -> dict:
    return {"pk": ServiceFactory().pk}


def _contact(user) -> dict:
    return {"pk": ContactFactory().pk}


def _own_task(user) -> dict:
    """Task pages show only the caller's own tasks; anonymous gets someone else's."""
    owner = user or UserFactory()
    return {"pk": TaskProgress.objects.create(owner=owner, kind="test", title="A report").pk}


def _reset_link(user) -> dict:
    return {"uidb64": "MQ", "token": "not-a-valid-token"}


def _unknown_api_path(user) -> dict:
    return {"path": "no-such-endpoint"}


def _own_action(user) -> dict:
    """An action the caller owns: besides the permission, changing one needs its owner
    or a manager (bcp_portal.actions.services.action_may_change)."""
    return {"pk": ActionFactory(owner=user).pk}


def _drill(user) -> dict:
    return {"pk": DrillFactory().pk}


def _drill_schedule(user) -> dict:
    return {"pk": DrillScheduleFactory().pk}


def _feed_token(user) -> dict:
    """The feed takes no session: the token is the caller's own (anonymous: a stranger's,
    without a role, so the feed answers 404, which is not a refusal)."""
    raw = CalendarFeedToken.new_token()
    CalendarFeedTokenFactory(user=user or UserFactory(), raw=raw)
    return {"token": raw}


def _report(user) -> dict:
    return {"pk": DrillReportFactory().pk}


def _drill_to_report(user) -> dict:
    return {"drill_pk": DrillFactory().pk}


# --- the matrix ---------------------------------------------------------------------------
# fmt: off
MATRIX: dict[str, Route] = {
    # Columns are COLUMNS, abbreviated: lead = srelead, mgr = engmgr, aud = auditor,
    # out = outsider, anon = anonymous.
    #                                          sre lead mgr cto dpo legal aud out anon
    # Shell, account and authentication (bcp_portal)
    "dashboard":                  Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "healthz":                    Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    "login":                      Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        put  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    "logout":                     Route(post ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    "password_change":            Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        put  ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "password_change_done":       Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "password_reset":             Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        put  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    "password_reset_done":        Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    "password_reset_confirm":     Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        put  ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        kwargs=_reset_link),
    "password_reset_complete":    Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    "account-settings":           Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "api-tokens":                 Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        post ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "task-progress":              Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        kwargs=_own_task),
    "task-download":              Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        kwargs=_own_task),
    # Contact directory (bcp_portal)
    "contacts:contact-list":             Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "contacts:contact-create":           Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -"),
    "contacts:contact-detail":           Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_contact),
    "contacts:contact-edit":             Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_contact),
    # Service catalogue (bcp_portal.catalogue)
    "catalogue:service-list":     Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "catalogue:service-create":   Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -"),
    "catalogue:service-detail":   Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_service),
    "catalogue:service-edit":     Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_service),
    "catalogue:service-catalogue-pdf":
                                  Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "catalogue:service-catalogue-export":
                                  Route(post ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    # API: root, me, tokens, schema (bcp_portal.api)
    "api:api-root":               Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "api:me":                     Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "api:token-login":            Route(post ="Y   Y    Y   Y   Y   Y     Y   Y   -"),
    "api:token-logout":           Route(post ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        via="token"),
    "api:token-logoutall":        Route(post ="Y   Y    Y   Y   Y   Y     Y   Y   -",
                                        via="token"),
    "api:not-found":              Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        kwargs=_unknown_api_path),
    "api-schema":                 Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    "api-docs":                   Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y"),
    # API: service catalogue (bcp_portal.catalogue)
    "api:service-list":           Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -"),
    "api:service-detail":         Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        patch="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_service),
    # Action tracker (bcp_portal.actions)
    "actions:action-list":      Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "actions:action-mine":      Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "actions:action-detail":    Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_own_action),
    "actions:action-edit":      Route(get  ="Y   Y    Y   Y   -   -     -   -   -",
                                        post ="Y   Y    Y   Y   -   -     -   -   -",
                                        kwargs=_own_action),
    "actions:action-transition":
                                  Route(post ="Y   Y    Y   Y   -   -     -   -   -",
                                        kwargs=_own_action),
    # API: action tracker (bcp_portal.actions)
    "api:action-list":            Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -"),
    "api:action-detail":          Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        patch="Y   Y    Y   Y   -   -     -   -   -",
                                        kwargs=_own_action),
    # Drill calendar (drills)
    "drills:calendar":            Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "drills:drill-list":          Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "drills:drill-create":        Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -"),
    "drills:drill-detail":        Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_drill),
    "drills:drill-edit":          Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_drill),
    "drills:drill-cancel":        Route(post ="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_drill),
    "drills:schedule-list":       Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "drills:schedule-create":     Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -"),
    "drills:schedule-edit":       Route(get  ="-   Y    -   -   -   -     -   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_drill_schedule),
    "drills:feed-tokens":         Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "drills:feed":                Route(get  ="Y   Y    Y   Y   Y   Y     Y   Y   Y",
                                        kwargs=_feed_token),
    # API: drill calendar (drills)
    "api:drill-list":             Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="-   Y    -   -   -   -     -   -   -"),
    "api:drill-detail":           Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        patch="-   Y    -   -   -   -     -   -   -",
                                        kwargs=_drill),
    # Drill reports and the drill summary (drills)
    "drills:report-list":         Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "drills:report-new-unplanned":
                                  Route(get  ="Y   Y    -   -   -   -     -   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -"),
    "drills:report-new":          Route(get  ="Y   Y    -   -   -   -     -   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_drill_to_report),
    "drills:report-detail":       Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_report),
    "drills:report-edit":         Route(get  ="Y   Y    -   -   -   -     -   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_report),
    "drills:report-submit":       Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_report),
    "drills:report-revise":       Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_report),
    "drills:report-history":      Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_report),
    "drills:report-pdf":          Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        kwargs=_report),
    "drills:summary":             Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    "drills:summary-pdf":         Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -"),
    # API: drill reports (drills)
    "api:drill-report-list":      Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        post ="Y   Y    -   -   -   -     -   -   -"),
    "api:drill-report-detail":    Route(get  ="Y   Y    Y   Y   Y   Y     Y   -   -",
                                        patch="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_report),
    "api:drill-report-submit":    Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_report),
    "api:drill-report-revise":    Route(post ="Y   Y    -   -   -   -     -   -   -",
                                        kwargs=_report),
}
# fmt: on
