"""The dashboard: every app's panels, in the order `bcp_portal.dashboard.PANELS` gives."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from bcp_portal.dashboard import panels_for


@login_required
@require_safe
def dashboard(request):
    return render(request, "dashboard.html", {"panels": panels_for(request.user)})
