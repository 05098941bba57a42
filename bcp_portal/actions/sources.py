"""The registry of action sources: how the tracker learns about apps it may not import.

Each source app registers one `ActionSource` from its AppConfig.ready(): its kind (the
value stored in `Action.source_kind`), its link model, and how to label, link and guard its
rows. The tracker's pages, API, admin and services read everything about a source from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db import models
from django.db.models import QuerySet

from bcp_portal.actions.models import Action


def _no_rule(user: Any, source: Any) -> str | None:
    return None


def _never(source: Any) -> bool:
    return False


@dataclass(frozen=True)
class ActionSource:
    kind: str  # stored in Action.source_kind, e.g. "drill_report"
    label: str  # singular, e.g. "Drill report"
    plural: str  # e.g. "Drill reports", for filters
    link_model: type[models.Model]  # an ActionLink subclass
    source_field: str  # the link model's foreign key to the source row
    describe: Callable[[Any], str]  # one source row -> its label
    url: Callable[[Any], str] = lambda source: ""
    # Extra relations below the source row that `describe`/`url` read (select_related).
    related: tuple[str, ...] = ()
    # The fields of the source row (and, through `related`, below it) that `describe` and
    # `url` read besides its id: lists read only those (`list_only_paths`).
    fields: tuple[str, ...] = ()
    # Why `user` may not add an action to this source row now, or None when they may.
    refuse_add: Callable[[Any, Any], str | None] = _no_rule
    # Whether a source row is still a draft: an action added to a draft is a proposal, kept
    # out of the tracker until the source is submitted (`actions_accept`).
    is_draft: Callable[[Any], bool] = _never
    # Rows offered where a person picks a source (the API); None: not settable there.
    choices: Callable[[], QuerySet[Any]] | None = None

    @property
    def accessor(self) -> str:
        """The reverse one-to-one name from an action to this source's link row."""
        return f"{self.kind}_link"

    @property
    def source_model(self) -> type[models.Model]:
        # A foreign key's target: a model class once the registry is loaded (never None).
        return cast(
            type[models.Model],
            self.link_model._meta.get_field(self.source_field).related_model,
        )

    def select_related(self) -> list[str]:
        base = f"{self.accessor}__{self.source_field}"
        return [base, *(f"{base}__{path}" for path in self.related)]


_REGISTRY: dict[str, ActionSource] = {}


def register(source: ActionSource) -> None:
    """Called once per source app from its AppConfig.ready(); a second call replaces."""
    # The link's `action` is its one-to-one key to the tracker (see ActionLink).
    link_action = cast(
        "models.OneToOneField[Any, Any]", source.link_model._meta.get_field("action")
    )
    if link_action.remote_field.related_name != source.accessor:
        raise ValueError(
            f"{source.link_model.__name__}.action needs related_name={source.accessor!r}."
        )
    _REGISTRY[source.kind] = source


def all_sources() -> Iterable[ActionSource]:
    return sorted(_REGISTRY.values(), key=lambda s: s.label)


def get(kind: str) -> ActionSource | None:
    return _REGISTRY.get(kind)


def for_object(obj: Any) -> ActionSource | None:
    """The source whose rows are of `obj`'s model."""
    for source in _REGISTRY.values():
        if isinstance(obj, source.source_model):
            return source
    return None


def select_related_paths() -> list[str]:
    """Every source's link and source row: list queries stay at one query per page."""
    return [path for source in _REGISTRY.values() for path in source.select_related()]


# Of an action's owner, what lists show: the name (`core.people.display_name`).
OWNER_FIELDS = ("owner__username", "owner__first_name", "owner__last_name")


def list_only_paths() -> list[str]:
    """`only()` for a list of actions with their owner and sources (select_related on
    `select_related_paths()`): every column of the action, and of the owner and each source
    only what a list shows. A source row's text (a report's scenario and summary, a
    post-mortem's analysis) stays in the database."""
    paths = [f.name for f in Action._meta.concrete_fields]
    paths += OWNER_FIELDS
    for source in _REGISTRY.values():
        base = f"{source.accessor}__{source.source_field}"
        paths.append(base)
        paths += [f"{base}__{related}" for related in source.related]
        paths += [f"{base}__{name}" for name in source.fields]
    return paths


def source_of(action: Action) -> Any:
    """The row an action came from, or None if its link is missing."""
    source = _REGISTRY.get(action.source_kind)
    if source is None:
        return None
    link = getattr(action, source.accessor, None)
    return getattr(link, source.source_field, None) if link is not None else None


@dataclass(frozen=True)
class SourceRef:
    """What a page or the API shows of an action's source."""

    kind: str
    id: int | None
    label: str
    url: str


def describe(action: Action) -> SourceRef | None:
    """The one place an action's source becomes a label and a link (pages and API)."""
    source = _REGISTRY.get(action.source_kind)
    row = source_of(action) if source is not None else None
    if source is None or row is None:
        return None
    return SourceRef(kind=source.kind, id=row.pk, label=source.describe(row), url=source.url(row))


def label_of(action: Action) -> str | None:
    """Only the label of an action's source, for lists that show no link (the admin): the
    link is a URL reversal per row, which such a list would compute for nothing."""
    source = _REGISTRY.get(action.source_kind)
    row = source_of(action) if source is not None else None
    if source is None or row is None:
        return None
    return source.describe(row)


def link_rows(source: ActionSource, rows: Iterable[Any]) -> QuerySet[Action]:
    """The actions linked to any of `rows` of this source."""
    return Action.objects.filter(**{f"{source.accessor}__{source.source_field}__in": rows})
