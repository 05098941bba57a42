"""Links to one row's page without a `reverse()` per row.

`reverse()` costs about 20 µs. A list that links each of its rows (the month view's hundred
chips, a page of actions) pays it once a row for URLs that differ only in the id.
`detail_url(name, pk)` reverses the route once (per URLconf and script prefix) with a
placeholder id and puts each row's id in its place: the same string `reverse(name,
args=[pk])` gives (tests/bcp_portal/test_links.py compares them for every model's page).
"""

from __future__ import annotations

import functools

from django.urls import get_script_prefix, get_urlconf, reverse

# An id no route's fixed text contains, so it is found exactly where the id goes.
_PLACEHOLDER = str(2**62 + 12_345)


@functools.lru_cache(maxsize=128)
def _around_the_id(name: str, urlconf: str | None, prefix: str) -> tuple[str, str]:
    """The route's URL before and after its id, for this URLconf and script prefix."""
    url = reverse(name, urlconf=urlconf, args=[_PLACEHOLDER])
    before, found, after = url.partition(_PLACEHOLDER)
    if not found or _PLACEHOLDER in after:
        raise ValueError(f"{name} does not place its one argument once in the path: {url}")
    return before, after


def detail_url(name: str, pk: int) -> str:
    """`reverse(name, args=[pk])` for a route whose one argument is an integer id."""
    before, after = _around_the_id(name, get_urlconf(), get_script_prefix())
    return f"{before}{int(pk)}{after}"
