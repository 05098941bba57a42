"""`{% portal_result_list cl %}`: a changelist's table, the markup of Django's `{% result_list %}`,
with the per-row work done once per column.

Django's `items_for_result` decides everything again for every cell of every row: which
field or callable the column names, its CSS class, whether it links to the change page,
the empty-value text, the choices' labels (a dict built per cell), the yes/no icon's static
URL, a `reverse()` of the change page and the preserved filters parsed again for the link.
None of that depends on the row but the value. Here each column is worked out once
(`_Column`), and a row asks it only for the value and its text, through Django's own
`lookup_field`, `display_for_field` and `display_for_value` where the value decides.

It takes over only a plain changelist (no `list_editable` formset, not a popup); anything
else goes through Django's `results()`. tests/bcp_portal/test_admin_rows.py renders every
registered changelist's rows both ways and compares them, so a column that this code would
show differently, or a Django upgrade that changes the original, fails there.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import template
from django.contrib.admin.templatetags.admin_list import (  # type: ignore[attr-defined]
    ResultList,
    _coerce_field_name,
    result_headers,
    result_hidden_fields,
    results,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import (  # type: ignore[attr-defined]
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

# `_coerce_field_name` and `_get_non_gfk_field` are Django's own private helpers (not in the
# type stubs): the tests compare every row with Django's, so a change to them fails there.

register = template.Library()


def portal_result_list(cl: ChangeList) -> dict[str, Any]:
    """The context Django's `result_list` gives `admin/change_list_results.html`."""
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": rows(cl),
    }


@register.tag(name="portal_result_list")
def portal_result_list_tag(parser: Any, token: Any) -> InclusionAdminNode:
    return InclusionAdminNode(
        parser,
        token,
        func=portal_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )


def rows(cl: ChangeList) -> list[ResultList]:
    """Each row's cells, as Django's `results(cl)` gives them."""
    if getattr(cl, "formset", None) or cl.is_popup:
        return list(results(cl))
    columns = _columns(cl)
    return [ResultList(None, [column.cell(row) for column in columns]) for row in cl.result_list]


def _columns(cl: ChangeList) -> list[_Column]:
    links = cl.list_display_links
    first = True  # Django's `first`: no link column has been emitted yet
    columns = []
    for index, name in enumerate(cl.list_display):
        if links is None:
            link = False
        elif first and not links:
            link = True
        else:
            link = name in links
        tag = ("th" if first else "td") if link else ""
        if link:
            first = False
        columns.append(_Column(cl, index, name, tag))
    return columns


class _Column:
    """One column of the list: what `items_for_result` works out that is not the row's."""

    def __init__(self, cl: ChangeList, index: int, name: Any, tag: str) -> None:
        self.cl = cl
        self.name = name
        self.tag = tag  # "th" or "td" when the cell links to the change page, else ""
        self.model_admin = cl.model_admin
        self.empty = cl.model_admin.get_empty_value_display()
        self.css = f"field-{_coerce_field_name(name, index)}"
        self.field: models.Field | None = None
        if not callable(name):
            try:
                self.field = _get_non_gfk_field(cl.model._meta, name)
            except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
                self.field = None  # not a plain field: lookup_field works it out per row
        field = self.field
        self.display: Callable[[Any], Any] = self._display_value
        if field is not None and not field.auto_created:
            nowrap = isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
            self.row_class = _class_attribute([self.css, "nowrap"] if nowrap else [self.css])
            if isinstance(field.remote_field, models.ManyToOneRel):
                self.display = self._display_related
            elif getattr(field, "flatchoices", None):
                self.display = self._choice_display(field)
            elif isinstance(field, models.BooleanField):
                icons = {v: display_for_value(v, "", boolean=True) for v in (True, False, None)}
                self.display = icons.__getitem__
            else:
                self.display = self._display_field
        self.link_suffix: str | None = None  # the preserved filters after a change page's URL

    def cell(self, row: models.Model) -> SafeString:
        field = self.field
        if field is not None and not field.auto_created:
            value = getattr(row, self.name)
            if isinstance(value, str) and value.strip() == "":
                value = ""
            text = self.display(value)
            row_class = self.row_class
        else:
            text, row_class = self._computed(row)
        if self.tag:
            text = self._link(row, text)
        return mark_safe(  # noqa: S308  # the text passed conditional_escape
            f"<{self.tag or 'td'}{row_class}>{conditional_escape(text)}</{self.tag or 'td'}>"
        )

    def _computed(self, row: models.Model) -> tuple[Any, str]:
        """A callable, an admin method, a property, `__str__`: Django's own per-row path."""
        classes = [self.css]
        empty = self.empty
        try:
            field, attr, value = lookup_field(self.name, row, self.model_admin)
        except ObjectDoesNotExist:
            return empty, _class_attribute(classes)
        empty = getattr(attr, "empty_value_display", empty)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        if field is None or field.auto_created:
            if self.name == "action_checkbox":
                classes = ["action-checkbox"]
            boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                boolean = getattr(attr.fget, "boolean", False)
            text = display_for_value(value, empty, boolean)
            if isinstance(value, (datetime.date, datetime.time)):
                classes.append("nowrap")
            return text, _class_attribute(classes)
        # A field found only per row (a lookup through a relation): Django's path again.
        if isinstance(field.remote_field, models.ManyToOneRel):
            related = getattr(row, field.name)
            text = empty if related is None else related
        else:
            text = display_for_field(value, field, empty, avoid_link=bool(self.tag))
        if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
            classes.append("nowrap")
        return text, _class_attribute(classes)

    def _display_value(self, value: Any) -> Any:
        return display_for_value(value, self.empty)

    def _display_field(self, value: Any) -> Any:
        assert self.field is not None  # only a field's column displays through it
        return display_for_field(value, self.field, self.empty, avoid_link=bool(self.tag))

    def _display_related(self, related: models.Model | None) -> Any:
        """A foreign key's row (the column's value is the related row itself)."""
        return self.empty if related is None else related

    def _choice_display(self, field: models.Field) -> Callable[[Any], Any]:
        try:
            labels = dict(field.flatchoices)
        except TypeError:  # list-like choices: Django's own per-cell path
            return self._display_field
        empty = self.empty

        def display(value: Any) -> Any:
            try:
                return labels.get(value, empty)
            except TypeError:
                return display_for_field(value, field, empty)

        return display

    def _link(self, row: models.Model, text: Any) -> Any:
        cl = self.cl
        try:
            url = cl.url_for_result(row)
        except NoReverseMatch:
            return text
        if self.link_suffix is None:
            # The same filters follow every row's link: worked out on the first, as Django
            # does for each (a change page's URL has no query of its own to merge).
            linked = add_preserved_filters(
                {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url
            )
            if not linked.startswith(url) or "?" in url or "#" in url:
                return _anchor(linked, text)
            self.link_suffix = linked[len(url) :]
        return _anchor(url + self.link_suffix, text)


def _anchor(url: str, text: Any) -> SafeString:
    return mark_safe(  # noqa: S308  # both parts passed conditional_escape
        f'<a href="{conditional_escape(url)}">{conditional_escape(text)}</a>'
    )


def _class_attribute(classes: list[str]) -> str:
    return f' class="{" ".join(classes)}"'
