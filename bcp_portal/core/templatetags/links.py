"""`{{ pk|row_url:"app:route" }}`: a row's link in a list without a `reverse()` per row
(`bcp_portal.core.links.detail_url`: the same string, reversed once per route)."""

from __future__ import annotations

from typing import Any

from django import template

from bcp_portal.core.links import detail_url

register = template.Library()


@register.filter
def row_url(pk: Any, name: str) -> str:
    return detail_url(name, pk)
