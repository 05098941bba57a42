"""Incident pages that write: declare, edit, the quick timeline entry, status, severity and
re-open. Each calls one lifecycle service; a refusal is shown on the form with what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from bcp_portal.core.forms import apply_validation_error, submit_form
from bcp_portal.core.integrity import as_validation_error
from bcp_portal.core.roles import permission_required
from incidents.forms import IncidentForm, ReopenForm, SeverityForm, StatusForm, TimelineEntryForm
from incidents.models import Incident
from incidents.services import lifecycle
from incidents.views.pages import incident_or_404, render_detail


@login_required
@permission_required("incidents.add_incident")
@require_http_methods(["GET", "POST"])
def incident_declare(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST or None)

    def declare(data: dict[str, Any]) -> Incident:
        fields, services, responders = form.service_data()
        return lifecycle.incident_declare(
            actor=request.user, services=services, responders=responders, **fields
        )

    saved = submit_form(
        request,
        form,
        declare,
        success=lambda incident: f"{incident.reference} declared.",
    )
    if saved:
        return saved
    return render(request, "incidents/incident_form.html", {"form": form, "incident": None})


@login_required
@permission_required("incidents.change_incident")
@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.select_related("incident_type"), pk=pk)
    # The form works on its own copy, so a refused post leaves `incident` as stored.
    form = IncidentForm(request.POST or None, instance=Incident.objects.get(pk=pk))

    def update(data: dict[str, Any]) -> Incident:
        fields, services, responders = form.service_data()
        return lifecycle.incident_update(
            actor=request.user,
            incident=incident,
            services=services,
            responders=responders,
            **fields,
        )

    saved = submit_form(request, form, update, success=lambda i: f"{i.reference} saved.")
    if saved:
        return saved
    return render(request, "incidents/incident_form.html", {"form": form, "incident": incident})


def _refusal(form: Any, work: Callable[[], Any]) -> bool:
    """Run a service; on refusal put its errors on `form` and say False."""
    try:
        work()
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return False
    except IntegrityError as exc:
        apply_validation_error(form, as_validation_error(exc))
        return False
    return True


def _timeline_fragment(
    request: HttpRequest, incident: Incident, form: TimelineEntryForm, status: int = 200
) -> HttpResponse:
    context = {
        "incident": incident,
        "timeline": incident.timeline_list,  # type: ignore[attr-defined]  # the selector's
        "can_add_entry": True,
        "entry_form": form,
    }
    return render(request, "incidents/includes/timeline.html", context, status=status)


@login_required
@permission_required("incidents.add_timelineentry")
@require_POST
def timeline_add(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_or_404(request, pk)
    form = TimelineEntryForm(request.POST)

    def add(data: dict[str, Any]) -> Incident:
        lifecycle.timeline_add(
            actor=request.user,
            incident=incident,
            event=data["event"],
            at=data.get("at"),
            action_taken=data.get("action_taken", ""),
            owner=data.get("owner") or request.user,
        )
        return incident

    saved = submit_form(
        request,
        form,
        add,
        success=lambda i: "Added to the timeline.",
        redirect_to=lambda i: f"{i.get_absolute_url()}#timeline",
    )
    if saved and request.htmx:  # type: ignore[attr-defined]  # django-htmx sets it
        # The quick entry swaps the timeline in place: the list with the new row, a fresh form.
        # The new row is the confirmation; the queued "Added" message must not turn up on the
        # next page the person opens (read here, it is dropped).
        list(messages.get_messages(request))
        return _timeline_fragment(request, incident_or_404(request, pk), TimelineEntryForm())
    if saved:
        return saved
    if request.htmx:  # type: ignore[attr-defined]
        # 200, not 400: htmx swaps in only a successful answer, and the refused form (its
        # errors, what was typed) must replace the one on the page.
        return _timeline_fragment(request, incident, form)
    return render_detail(request, incident, http_status=400, entry_form=form)


@login_required
@permission_required("incidents.change_incident")
@require_POST
def incident_status(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_or_404(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid() and _refusal(
        form,
        lambda: lifecycle.incident_set_status(
            actor=request.user,
            incident=incident,
            status=form.cleaned_data["status"],
            at=form.cleaned_data["at"],
            note=form.cleaned_data["note"],
        ),
    ):
        incident.refresh_from_db()
        messages.success(request, f"{incident.reference} is {incident.get_status_display()}.")
        return redirect(incident)
    return render_detail(request, incident, http_status=400, status_form=form)


@login_required
@permission_required("incidents.change_incident")
@require_POST
def incident_severity(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_or_404(request, pk)
    form = SeverityForm(request.POST)
    if form.is_valid() and _refusal(
        form,
        lambda: lifecycle.incident_set_severity(
            actor=request.user,
            incident=incident,
            severity=form.cleaned_data["severity"],
            reason=form.cleaned_data["reason"],
        ),
    ):
        messages.success(request, f"{incident.reference} is now {form.cleaned_data['severity']}.")
        return redirect(incident)
    return render_detail(request, incident, http_status=400, severity_form=form)


@login_required
@permission_required("incidents.change_incident")
@require_POST
def incident_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_or_404(request, pk)
    form = ReopenForm(request.POST)
    if form.is_valid() and _refusal(
        form,
        lambda: lifecycle.incident_reopen(
            actor=request.user, incident=incident, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, f"{incident.reference} is re-opened.")
        return redirect(incident)
    return render_detail(request, incident, http_status=400, reopen_form=form)
