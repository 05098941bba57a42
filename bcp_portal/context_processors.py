from django.conf import settings
from django.utils.module_loading import import_string

from bcp_portal.core import twofactor
from bcp_portal.navigation import current_section, incident_sections_for, navigation_for


def portal(request) -> dict:
    user = getattr(request, "user", None)
    items = []
    if user is not None:
        for item in navigation_for(user):
            url = item.url
            if url == "/":
                active = request.path == url
            else:
                active = any(request.path.startswith(p) for p in (url, *item.also_active))
            badge = import_string(item.badge)(user) if item.badge else 0
            items.append({"label": item.label, "url": url, "active": active, "badge": badge})
    # The incident pages' tabs, on the pages under Incidents only (the API has none).
    sections = []
    if user is not None and any(item["active"] and item["label"] == "Incidents" for item in items):
        visible = incident_sections_for(user)
        current = current_section(request.path, visible)
        sections = [
            {"label": item.label, "url": item.url, "active": item is current} for item in visible
        ]
    # Shown on every page while this session may read but not change anything.
    banner = ""
    if user is not None and twofactor.must_verify_before_changes(user):
        banner = "verify" if twofactor.has_two_factor(user) else "set-up"
    return {
        "portal_name": settings.PORTAL_NAME,
        "navigation": items,
        "incident_sections": sections,
        "two_factor_banner": banner,
    }
