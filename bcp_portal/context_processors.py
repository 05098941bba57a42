from django.conf import settings
from django.utils.module_loading import import_string

from bcp_portal.core import twofactor
from bcp_portal.navigation import navigation_for


def portal(request) -> dict:
    user = getattr(request, "user", None)
    items = []
    if user is not None:
        for item in navigation_for(user):
            url = item.url
            active = request.path == url if url == "/" else request.path.startswith(url)
            badge = import_string(item.badge)(user) if item.badge else 0
            items.append({"label": item.label, "url": url, "active": active, "badge": badge})
    # Shown on every page while this session may read but not change anything.
    banner = ""
    if user is not None and twofactor.must_verify_before_changes(user):
        banner = "verify" if twofactor.has_two_factor(user) else "set-up"
    return {"portal_name": settings.PORTAL_NAME, "navigation": items, "two_factor_banner": banner}
