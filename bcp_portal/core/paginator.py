"""A paginator for lists that can grow large: it never counts a whole table.

Django's Paginator runs `COUNT(*)` over the whole filtered list, which at 100,000 rows is a
scan of the table on every page view. `CappedPaginator` counts at most `cap + 1` rows
(`SELECT COUNT(*) FROM (... LIMIT cap + 1)`, which stops early and uses the list's index),
so a page costs the same at 1,000 rows and at a million. Beyond the cap the list says "more
than 10,000" and offers pages up to the cap: nobody pages through 400 pages; they filter.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
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
            # Ordering is dropped: the count needs none, and the limit keeps it bounded.
            return self.object_list.order_by()[: self.cap + 1].count()
        return len(self.object_list)

    @cached_property
    def count(self) -> int:
        """The number of rows, at most `cap`."""
        return min(self._capped_count, self.cap)

    @cached_property
    def count_capped(self) -> bool:
        """True when there are more rows than `count` says."""
        return self._capped_count > self.cap
