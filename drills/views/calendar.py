from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from bcp_portal.roles import permission_required


@login_required
@permission_required("drills.view_drill")
def calendar(request):
    return render(request, "drills/calendar.html", {})


urlpatterns = [
    path("drills/", calendar, name="calendar"),
]
