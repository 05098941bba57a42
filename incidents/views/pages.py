"""Incident pages that read: the list, one incident, the incident types."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core.filters import filtered_by
from bcp_portal.core.paginator import CappedPaginator, page_of
from bcp_portal.core.roles import permission_required
from incidents import selectors
from incidents.filters import IncidentFilterSet
from incidents.forms import ReopenForm, SeverityForm, StatusForm, TimelineEntryForm
from incidents.models import Incident, IncidentType, Severity
from incidents.oncall_selectors import escalation_state
from incidents.postmortem_selectors import communication_drafts
from incidents.services.lifecycle import STATUS_ORDER

PAGE_SIZE = 25


@login_required
@permission_required("incidents.view_incident")
@require_safe
@filtered_by(IncidentFilterSet)
def incident_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    filterset = IncidentFilterSet(
        params, queryset=selectors.incident_list(user=request.user), request=request
    )
    valid = filterset.is_valid()
    qs = filterset.qs if valid else filterset.queryset.none()
    page, page_error = page_of(CappedPaginator(qs, PAGE_SIZE), params)
    return render(
        request,
        "incidents/incident_list.html",
        {
            "page": page,
            "page_error": page_error,
            "filter_form": filterset.form,
            "filtered": any(params.get(name) for name in filterset.filters),
            "statuses": Incident.Status.choices,
            "severities": Severity.choices,
            "types": IncidentType.objects.only("key", "name").order_by("name"),
            "services": selectors.service_choices(),
            "can_add": request.user.has_perm("incidents.add_incident"),
        },
        status=200 if valid and not page_error else 400,
    )


def next_statuses(incident: Incident) -> list[Incident.Status]:
    """The statuses an incident may move forward to (a step may be skipped)."""
    current = STATUS_ORDER.index(Incident.Status(incident.status))
    return [Incident.Status(s) for s in STATUS_ORDER[current + 1 :]]


def render_detail(
    request: HttpRequest,
    incident: Incident,
    *,
    http_status: int = 200,
    **forms: Any,
) -> HttpResponse:
    """The incident page, with any form given (a refused one keeps its input and errors)."""
    user = request.user
    can_change = user.has_perm("incidents.change_incident")
    services = getattr(incident, selectors.SERVICE_LIST)
    reopenable = incident.status in (Incident.Status.RESTORED, Incident.Status.CLOSED)
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "services": services,
            "responders": getattr(incident, selectors.RESPONDER_LIST),
            "timeline": incident.timeline_list,  # type: ignore[attr-defined]
            "objectives": selectors.incident_objectives(incident, services),
            "changes": selectors.incident_history(incident),
            "can_change": can_change,
            "can_add_entry": user.has_perm("incidents.add_timelineentry"),
            "entry_form": forms.get("entry_form") or TimelineEntryForm(),
            "moves": next_statuses(incident) if can_change else [],
            "status_form": forms.get("status_form") or StatusForm(),
            "severity_form": forms.get("severity_form")
            or SeverityForm(initial={"severity": incident.severity}),
            "reopen_form": (forms.get("reopen_form") or ReopenForm()) if reopenable else None,
            # The paging chain and the stakeholders told (incidents.oncall_selectors).
            "state": escalation_state(incident.pk)
            if user.has_perm("incidents.view_escalation")
            else None,
            "drafts": communication_drafts(incident)
            if user.has_perm("incidents.view_communicationdraft")
            else None,
            "may_draft": user.has_perm("incidents.add_communicationdraft"),
        },
        status=http_status,
    )


def incident_or_404(request: HttpRequest, pk: int) -> Incident:
    incident = selectors.incident_detail(user=request.user, pk=pk)
    if incident is None:
        raise Http404("No such incident.")
    return incident


@login_required
@permission_required("incidents.view_incident")
@require_safe
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, incident_or_404(request, pk))


@login_required
@permission_required("incidents.view_incidenttype")
@require_safe
def incident_types(request: HttpRequest) -> HttpResponse:
    profile = organisation_profile()
    return render(
        request,
        "incidents/incident_types.html",
        {
            "types": selectors.incident_types(user=request.user),
            "organisation_rto": profile.rto_target_minutes,
            "can_change": request.user.has_perm("incidents.change_incidenttype")
            and request.user.is_staff,
        },
    )
