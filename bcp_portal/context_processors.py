"""What every page's shell (`base.html`) shows: the navigation, the incident pages' tabs,
one incident's own tabs (the incident, its notifications) and the two-factor banner.

Each is computed when a template first reads it, and once a request: a dashboard panel's
fragment or an error page that shows no navigation asks for none of it (no permission read,
no `reverse()` per entry, no two-factor device lookup).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string

from bcp_portal.core import twofactor
from bcp_portal.navigation import (
    current_section,
    incident_sections_for,
    incident_tabs_for,
    navigation_for,
)


class _Shell:
    """One request's shell, each part computed on first use."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.user = getattr(request, "user", None)

    @cached_property
    def navigation(self) -> list[dict[str, Any]]:
        user, path = self.user, self.request.path
        items = []
        if user is not None:
            for item in navigation_for(user):
                url = item.url
                if url == "/":
                    active = path == url
                else:
                    active = any(path.startswith(p) for p in (url, *item.also_active))
                badge = import_string(item.badge)(user) if item.badge else 0
                items.append({"label": item.label, "url": url, "active": active, "badge": badge})
        return items

    @cached_property
    def incident_sections(self) -> list[dict[str, Any]]:
        """The incident pages' tabs, on the pages under Incidents only (the API has none)."""
        user = self.user
        if user is None or not any(
            item["active"] and item["label"] == "Incidents" for item in self.navigation
        ):
            return []
        visible = incident_sections_for(user)
        current = current_section(self.request.path, visible)
        return [
            {"label": item.label, "url": item.url, "active": item is current} for item in visible
        ]

    @cached_property
    def incident_tabs(self) -> list[dict[str, Any]]:
        """One incident's own pages (the incident, its notifications), on those pages."""
        match = getattr(self.request, "resolver_match", None)
        if self.user is None or match is None or "pk" not in match.kwargs:
            return []
        return incident_tabs_for(self.user, match.view_name, match.kwargs["pk"])

    @cached_property
    def two_factor_banner(self) -> str:
        """Shown on every page while this session may read but not change anything."""
        user = self.user
        if user is not None and twofactor.must_verify_before_changes(user):
            return "verify" if twofactor.has_two_factor(user) else "set-up"
        return ""


def portal(request: HttpRequest) -> dict[str, Any]:
    shell = _Shell(request)
    return {
        "portal_name": settings.PORTAL_NAME,
        "navigation": SimpleLazyObject(lambda: shell.navigation),
        "incident_sections": SimpleLazyObject(lambda: shell.incident_sections),
        "incident_tabs": SimpleLazyObject(lambda: shell.incident_tabs),
        "two_factor_banner": SimpleLazyObject(lambda: shell.two_factor_banner),
    }
