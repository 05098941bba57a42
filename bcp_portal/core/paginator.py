"""A paginator for lists that can grow large: it never counts a whole table.

Django's Paginator runs `COUNT(*)` over the whole filtered list, which at 100,000 rows is a
scan of the table on every page view. `CappedPaginator` counts at most `cap + 1` rows
(`SELECT COUNT(*) FROM (... LIMIT cap + 1)`, which stops early and uses the list's index),
so a page costs the same at 1,000 rows and at a million. Beyond the cap the list says "more
than 10,000" and offers pages up to the cap: nobody pages through 400 pages; they filter.

`SizedPagesPaginator` is for a short list that the database reads whole to order it anyway
(rows computed from subqueries, sorted on the fly: no index gives the order, so a LIMIT does
not stop early): each page's rows carry the list's size, counted before the LIMIT
(`COUNT(*) OVER ()`), so the first page is one read rather than a count and a read that
both compute the whole list.

`page_of` reads `?page=` for every list page: a value that names no page is an error naming
the parameter (HTTP 400 and a message above the list), never a silent fall back.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import QueryDict
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A Paginator whose `count` stops at `cap` (and says so in `count_capped`)."""

    def __init__(
        self, object_list: Any, per_page: int, *args: Any, cap: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _capped_count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            # Ordering is dropped: the count needs none, and the limit keeps it bounded. A
            # list of rows counts their keys only: the columns and annotations the page shows
            # (and a join only they need, which the database then drops) stay out of it.
            rows = self.object_list.order_by()
            if not rows.query.values_select:
                rows = rows.values("pk")
            return rows[: self.cap + 1].count()
        return len(self.object_list)

    @cached_property
    def count(self) -> int:
        """The number of rows, at most `cap`."""
        return min(self._capped_count, self.cap)

    @cached_property
    def count_capped(self) -> bool:
        """True when there are more rows than `count` says."""
        return self._capped_count > self.cap


class SizedPagesPaginator(CappedPaginator):
    """A CappedPaginator of a QuerySet whose pages carry the list's size (see the module's
    docstring): the first page with its count is one query; another page, one more."""

    TOTAL = "paginator_total"  # the annotation carrying the size on every row

    def __init__(self, object_list: QuerySet[Any], per_page: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.queryset = object_list

    def _rows(self, number: int) -> list[Any]:
        bottom = (number - 1) * self.per_page
        sized = self.queryset.annotate(**{self.TOTAL: Window(Count("*"))})
        return list(sized[bottom : bottom + self.per_page])

    @cached_property
    def _first_rows(self) -> list[Any]:
        return self._rows(1)

    @cached_property
    def _capped_count(self) -> int:
        first = self._first_rows
        return getattr(first[0], self.TOTAL) if first else 0

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        rows = self._first_rows if number == 1 else self._rows(number)
        return Page(rows, number, self)


PAGE_PARAMETER = "page"
_SHOWN_CHARACTERS = 20  # of a bad `page` value, quoted back in the error


def page_of(paginator: Paginator, params: QueryDict) -> tuple[Page, str]:
    """The page `?page=` names, with "" — or, for a value that names no page, the nearest
    page (the first; the last for a number past the end) with an error naming the parameter.

    List pages answer that error with HTTP 400 and show it above the list (id `page-error`),
    as they do a malformed filter: a person sees what went wrong and still gets a list, a
    script sees the 400. An empty value is the first page, as an absent one is.
    """
    values = params.getlist(PAGE_PARAMETER)
    raw = values[-1] if values else ""
    if len(values) <= 1 and raw == "":
        return paginator.page(1), ""
    last = paginator.num_pages
    number = int(raw) if raw.isascii() and raw.isdigit() else 0
    if len(values) == 1 and 1 <= number <= last:
        return paginator.page(number), ""
    shown = last if number > last else 1
    if len(values) > 1:
        problem = f"Give one “{PAGE_PARAMETER}”, a whole number"
    else:
        quoted = raw if len(raw) <= _SHOWN_CHARACTERS else raw[:_SHOWN_CHARACTERS] + "…"
        problem = f"“{PAGE_PARAMETER}={quoted}” is not a page of this list: give a whole number"
    return paginator.page(shown), f"{problem} from 1 to {last}. Showing page {shown}."
