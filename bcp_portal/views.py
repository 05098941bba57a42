"""The dashboard: a frame of boxes, one per panel the person sees, in the order
`bcp_portal.dashboard.PANELS` gives; each box loads its panel from `dashboard_panel`."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from bcp_portal.dashboard import boxes_for, panel_named


@login_required
@require_safe
def dashboard(request):
    return render(request, "dashboard.html", {"boxes": boxes_for(request.user)})


@login_required
@require_safe
def dashboard_panel(request, name: str):
    """One panel: the box's content for the dashboard's htmx request, else (a browser
    without script following the box's link) a page of its own. A panel that is not the
    person's to see, or has nothing for them, answers 404 (its box then leaves the page)."""
    panel = panel_named(request.user, name)
    if panel is None:
        raise Http404("No such panel for you.")
    template = "dashboard/panel_box.html" if request.htmx else "dashboard/panel_page.html"
    response = render(request, template, {"name": name, "panel": panel})
    patch_vary_headers(response, ["HX-Request"])
    return response
