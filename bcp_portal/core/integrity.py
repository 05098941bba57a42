"""A write the database refuses becomes a ValidationError naming the field, never a 500.

Services validate before they save (`full_clean` sees a duplicate), but two requests at the
same moment both pass validation and the database refuses the second with an
IntegrityError. `as_validation_error` turns it into the answer any other refusal gets: the
field(s) the constraint covers, with a message saying what happened. Forms show it on the
field (`forms.submit_form`, the admin), the API answers 400 in its error shape
(`api.errors`), and any other page a 400 saying nothing was saved (`middleware`).
"""

from __future__ import annotations

import re

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models

CONFLICT = (
    "This conflicts with a record saved at the same moment, so nothing was saved. "
    "Reload the page to see the current state, then try again."
)
DUPLICATE = "Another record with this value was saved at the same moment; nothing was saved."
MISSING = "This field is required; nothing was saved."

# PostgreSQL's detail of a unique or foreign-key violation: Key (a, b)=(1, 2) already exists.
PG_KEY = re.compile(r"Key \((?P<columns>[^)]*)\)=")
# SQLite's messages: "UNIQUE constraint failed: table.a, table.b", "CHECK constraint failed: x".
SQLITE_COLUMNS = re.compile(r"(?P<kind>UNIQUE|NOT NULL) constraint failed: (?P<columns>.+)")
SQLITE_CHECK = re.compile(r"CHECK constraint failed: (?P<name>\S+)")


def as_validation_error(exc: IntegrityError) -> ValidationError:
    """The refusal as a ValidationError on the fields it concerns (non-field if unknown)."""
    fields, missing = _fields_of(exc)
    if not fields:
        return ValidationError({NON_FIELD_ERRORS: [CONFLICT]}, code="conflict")
    message = MISSING if missing else DUPLICATE
    return ValidationError({name: [message] for name in fields}, code="conflict")


def _fields_of(exc: IntegrityError) -> tuple[list[str], bool]:
    """(field names, whether a value was missing) the database named, best effort."""
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None:  # PostgreSQL
        table = diag.table_name or ""
        if diag.column_name:  # NOT NULL
            return _field_names(table, [diag.column_name]), True
        found = PG_KEY.search(diag.message_detail or "")
        if found:
            columns = [c.strip().strip('"') for c in found.group("columns").split(",")]
            return _field_names(table, columns), False
        return _constraint_fields(diag.constraint_name or ""), False
    text = str(exc)
    found = SQLITE_COLUMNS.search(text)
    if found:
        names: list[str] = []
        for part in found.group("columns").split(","):
            table, _, column = part.strip().rpartition(".")
            names += _field_names(table, [column])
        return names, found.group("kind") == "NOT NULL"
    check = SQLITE_CHECK.search(text)
    return (_constraint_fields(check.group("name")) if check else []), False


def _model_of(table: str) -> type[models.Model] | None:
    return next((m for m in apps.get_models() if m._meta.db_table == table), None)


def _field_names(table: str, columns: list[str]) -> list[str]:
    model = _model_of(table)
    if model is None:
        return []
    by_column = {f.column: f.name for f in model._meta.concrete_fields}
    return [by_column[c] for c in columns if c in by_column]


def _constraint_fields(name: str) -> list[str]:
    """The fields of a named UniqueConstraint (a check constraint names none: non-field)."""
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name and isinstance(constraint, models.UniqueConstraint):
                return list(constraint.fields)
    return []
