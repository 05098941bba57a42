"""The action tracker's filters, shared by the list pages and /api/v1/actions.

Parameter names are the ones links and forms already use: `status` (a status, or `active`
for open and in progress), `priority`, `owner` (a user id, or `none`), `overdue` and `mine`
(1 or 0), `source` (a registered source kind), and the search text as `q` (pages) or
`search` (API).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field

from bcp_portal.actions import selectors
from bcp_portal.actions.models import Action
from bcp_portal.core import filters


class ActionFilterSet(filters.PortalFilterSet):
    status = filters.ChoiceFilter(
        choices=selectors.STATUS_FILTERS,
        help_text="A status, or `active` for open and in progress.",
    )
    priority = filters.ChoiceFilter(choices=Action.Priority.choices)
    owner = filters.IdFilter(
        max_id=filters.pk_max(get_user_model()),
        keywords=("none",),
        help_text="A user id, or `none` for actions nobody owns.",
    )
    overdue = filters.YesNoFilter(help_text="Only overdue actions (1 or 0).")
    mine = filters.YesNoFilter(help_text="Only actions I own (1 or 0).")
    # The kinds come from the registry at request time, so the schema names them in words.
    source = extend_schema_field(
        {"type": "string", "description": "A registered source kind, e.g. `drill_report`."}
    )(filters.ChoiceFilter(choices=selectors.source_filters))
    q = filters.SearchFilter(help_text="Title and description (the page's name).")
    search = filters.SearchFilter(help_text="Title and description.")

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        self.today = today
        super().__init__(*args, **kwargs)

    def apply(self, queryset: QuerySet[Action], values: dict[str, Any]) -> QuerySet[Action]:
        return selectors.filter_actions(
            queryset,
            user=self.user,
            mine=bool(values.get("mine")),
            status=values["status"] or "",
            priority=values["priority"] or "",
            owner=values.get("owner"),
            overdue=bool(values["overdue"]),
            source=values["source"] or "",
            search=self.first(values, "q", "search").strip(),
            today=self.today,
        )
