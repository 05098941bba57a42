"""What changed, for a reader: each history record with its fields before and after.

`field_changes(records)` turns a model's history rows into `Change`s (who, when, from
where, what, and `(field, before, after)` per changed field). `Display` shows stored values
as a reader knows them: people by name (`people.display_name`), related rows by their
name, choices by their label, dates and times in the reader's format and zone, long text
cut at a word. One `Display` may serve several models' histories: it looks up each related
model's names once, so a panel of 2 or 30 records takes the same number of queries.
Pages show the result with `bcp_portal/history_panel.html`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import models
from django.db.models import QuerySet
from django.utils.text import Truncator

from bcp_portal.core import dates
from bcp_portal.core.people import display_name

KINDS = {"+": "added", "~": "changed", "-": "removed"}
TEXT_WORDS = 40  # a changed text longer than this is cut at a word, with "…"


@dataclass
class Change:
    when: dt.datetime
    who: str
    source: str
    what: str
    kind: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    reason: str = ""


def name_of(obj: Any) -> str:
    """A person's name, else the object's own text."""
    return display_name(obj) if hasattr(obj, "get_full_name") else str(obj)


def field_label(model: type[models.Model], name: str) -> str:
    try:
        # A reverse relation has no verbose_name: the AttributeError is caught below.
        label = str(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    except Exception:  # m2m history fields and removed fields keep their raw name
        label = name.replace("_", " ")
    return label[:1].upper() + label[1:]


def _model_field(model: type[models.Model], name: str) -> models.Field[Any, Any] | None:
    try:
        # A history diff names the model's own fields, never a reverse relation.
        return cast("models.Field[Any, Any]", model._meta.get_field(name))
    except Exception:  # a field the model no longer has: show what was stored
        return None


class Display:
    """Turns stored values into what a reader recognises: names, not ids; local times."""

    def __init__(self) -> None:
        self._cache: dict[tuple[type[models.Model], Any], str] = {}

    def names(self, model: type[models.Model], ids: Iterable[Any]) -> list[str]:
        ids = list(ids)
        missing = {i for i in ids if (model, i) not in self._cache}
        if missing:
            for obj in model._default_manager.filter(pk__in=missing):
                self._cache[(model, obj.pk)] = name_of(obj)
            for i in missing:
                self._cache.setdefault((model, i), f"#{i} (removed)")
        return [self._cache[(model, i)] for i in ids]

    def preload(self, model: type[models.Model], records: Sequence[Any]) -> None:
        """Look up, in one query per related model, every name the records' fields hold."""
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is not None:
                related = cast(type[models.Model], f.related_model)
                ids = {getattr(r, f.attname, None) for r in records} - {None}
                if ids:
                    self.names(related, ids)

    def __call__(self, model: type[models.Model], name: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        f = _model_field(model, name)
        if f is not None and f.many_to_many:
            key = cast("models.ManyToManyField[Any, Any]", f).m2m_reverse_field_name()
            ids = [row.get(key) if isinstance(row, dict) else row for row in value]
            # A relation's target: a model class once the apps are loaded.
            related = cast(type[models.Model], f.related_model)
            return ", ".join(sorted(self.names(related, ids))) or "—"
        if f is not None and f.is_relation:
            related = cast(type[models.Model], f.related_model)
            return self.names(related, [value])[0]
        if isinstance(value, dt.datetime | dt.date):
            return dates.format_moment(value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        if f is not None and f.choices:
            return str(dict(f.flatchoices).get(value, value))
        return Truncator(str(value)).words(TEXT_WORDS)


def _m2m_fields(history_model: Any) -> dict[str, str]:
    """Each historised many-to-many field's name -> the history rows' reverse accessor.

    (`record.<field>` is django-simple-history's own manager, which cannot be prefetched;
    the reverse relation from its through-history table can.)
    """
    names = [f.name for f in getattr(history_model, "_history_m2m_fields", [])]
    accessors = {}
    for rel in history_model._meta.related_objects:
        for name in names:
            if rel.related_model._meta.model_name == f"{history_model._meta.model_name}_{name}":
                accessors[name] = rel.get_accessor_name()
    return accessors


def _m2m_ids(record: Any, accessor: str, target: str) -> list[Any]:
    """The ids a history record's many-to-many field held (from the prefetched rows)."""
    return sorted(getattr(row, f"{target}_id") for row in getattr(record, accessor).all())


def _m2m_changes(
    model: type[models.Model],
    accessors: dict[str, str],
    before: Any,
    after: Any,
    display: Display,
) -> list[tuple[str, str, str]]:
    """Many-to-many changes, read from rows prefetched once for every record (django-simple-
    history's own diff runs two queries per field and record)."""
    diffs = []
    for name, accessor in accessors.items():
        f = cast("models.ManyToManyField[Any, Any]", model._meta.get_field(name))
        target = f.m2m_reverse_field_name()
        old, new = _m2m_ids(before, accessor, target), _m2m_ids(after, accessor, target)
        if old != new:
            related = cast(type[models.Model], f.related_model)
            diffs.append(
                (
                    field_label(model, name),
                    ", ".join(sorted(display.names(related, old))) or "—",
                    ", ".join(sorted(display.names(related, new))) or "—",
                )
            )
    return diffs


def field_changes(
    records: QuerySet[Any],
    *,
    describe: Callable[[Any], str] = lambda record: "",
    display: Display | None = None,
    excluded: Sequence[str] = ("updated_at",),
    limit: int | None = None,
) -> list[Change]:
    """The history `records` (one or several objects' rows) as `Change`s, oldest first.

    A change that only touched `excluded` fields (and gave no reason) is left out. With
    `limit`, only the newest `limit` records are shown (one more is read, so the oldest
    shown still has its "before").
    """
    display = display or Display()
    qs = records.select_related("history_user")
    m2m = _m2m_fields(qs.model)
    if m2m:
        qs = qs.prefetch_related(*m2m.values())
    if limit is not None:
        rows = list(qs.order_by("-history_date", "-history_id")[: limit + 1])
        rows.reverse()
    else:
        rows = list(qs.order_by("history_date", "history_id"))
    instance_model = cast(type[models.Model], qs.model.instance_type)
    display.preload(instance_model, rows)
    for name, accessor in m2m.items():
        f = cast("models.ManyToManyField[Any, Any]", instance_model._meta.get_field(name))
        target = f.m2m_reverse_field_name()
        ids = {i for row in rows for i in _m2m_ids(row, accessor, target)}
        if ids:
            display.names(cast(type[models.Model], f.related_model), ids)
    window_start = 1 if limit is not None and len(rows) > limit else 0
    result = []
    previous_by_id: dict[Any, Any] = {}
    for index, record in enumerate(rows):
        object_id = getattr(record, instance_model._meta.pk.attname)
        before = previous_by_id.get(object_id)
        previous_by_id[object_id] = record
        if index < window_start:
            continue
        diffs: list[tuple[str, str, str]] = []
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before, excluded_fields=[*excluded, *m2m.keys()])
            for change in delta.changes:
                diffs.append(
                    (
                        field_label(instance_model, change.field),
                        display(instance_model, change.field, change.old),
                        display(instance_model, change.field, change.new),
                    )
                )
            diffs += _m2m_changes(instance_model, m2m, before, record, display)
            if not diffs and not record.history_change_reason:
                continue
        result.append(
            Change(
                when=record.history_date,
                who=name_of(record.history_user) if record.history_user else "system",
                source=record.history_source,
                what=describe(record),
                kind=KINDS[record.history_type],
                changes=diffs,
                reason=record.history_change_reason or "",
            )
        )
    return result


def newest_first(changes: Iterable[Change]) -> list[Change]:
    return sorted(changes, key=lambda c: c.when, reverse=True)
