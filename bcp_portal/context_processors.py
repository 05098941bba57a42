from django.conf import settings

from bcp_portal.navigation import navigation_for


def portal(request) -> dict:
    user = getattr(request, "user", None)
    items = []
    if user is not None:
        for item in navigation_for(user):
            url = item.url
            active = request.path == url if url == "/" else request.path.startswith(url)
            items.append({"label": item.label, "url": url, "active": active})
    return {"portal_name": settings.PORTAL_NAME, "navigation": items}
