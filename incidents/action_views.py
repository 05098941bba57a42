from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from bcp_portal.roles import permission_required


@login_required
@permission_required("incidents.view_action")
def action_list(request):
    return render(request, "incidents/action_list.html", {})
