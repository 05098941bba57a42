"""On-call pages: who is on call now and for the coming weeks, overrides, the communication
matrix, and an incident's escalation (until the incident page includes it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from bcp_portal.catalogue.selectors import organisation_zone
from bcp_portal.core.forms import submit_form
from bcp_portal.core.roles import permission_required
from incidents import oncall_selectors as selectors
from incidents.models import Incident
from incidents.oncall_forms import OverrideForm
from incidents.services.oncall import MANAGE_PERM, override_create


@login_required
@permission_required("incidents.view_oncallrotation")
@require_safe
def oncall(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rotation = selectors.active_rotation_with_members()
    # The overrides listed and the rota's, in one query when the list holds the rota's; the
    # zone and the rota's overrides read once for who is on call now and the rota.
    overrides = selectors.oncall_page_overrides(rotation, now=now)
    known: dict[str, Any] = {}
    if rotation is not None:
        known = {"zone": organisation_zone(), "overrides": overrides.rota}
    return render(
        request,
        "incidents/oncall.html",
        {
            "now": now,
            "rotation": rotation,
            "current": selectors.on_call_at(now, rotation=rotation, **known),
            "shifts": selectors.rota(start=now, rotation=rotation, **known),
            "overrides": overrides.listed,
            "weeks": selectors.ROTA_WEEKS,
            "can_add_override": rotation is not None
            and request.user.has_perm("incidents.add_oncalloverride"),
            "can_manage": request.user.has_perm(MANAGE_PERM),
        },
    )


@login_required
@permission_required("incidents.add_oncalloverride")
@require_http_methods(["GET", "POST"])
def override_add(request: HttpRequest) -> HttpResponse:
    rotation = selectors.active_rotation()
    if rotation is None:
        return render(request, "incidents/override_form.html", {"form": None}, status=409)
    form = OverrideForm(request.POST or None)
    saved = submit_form(
        request,
        form,
        lambda data: override_create(actor=request.user, rotation=rotation, **data),
        success=lambda o: f"Override added: {o}.",
        redirect_to="incidents:oncall",
    )
    if saved:
        return saved
    return render(request, "incidents/override_form.html", {"form": form, "rotation": rotation})


@login_required
@permission_required("incidents.view_communicationrule")
@require_safe
def communication_matrix(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "incidents/communication_matrix.html",
        {
            "rules": selectors.communication_matrix(),
            "can_edit": request.user.is_staff
            and request.user.has_perm("incidents.change_communicationrule"),
        },
    )


@login_required
@permission_required("incidents.view_escalation")
@require_safe
def incident_escalation(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.only("pk", "reference", "title"), pk=pk)
    return render(
        request,
        "incidents/escalation.html",
        {"incident": incident, "state": selectors.escalation_state(incident.pk)},
    )
