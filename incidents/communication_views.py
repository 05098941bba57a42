"""Communication drafts of an incident: draft one from a template, edit it, mark it used."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from bcp_portal.core.forms import submit_form
from bcp_portal.core.roles import permission_required
from incidents import postmortem_selectors as selectors
from incidents.models import Incident
from incidents.models_postmortems import CommunicationDraft
from incidents.postmortem_forms import DraftCreateForm, DraftEditForm
from incidents.services import communications as services


def _list_url(incident_pk: int) -> str:
    return reverse("postmortems:communications", args=[incident_pk])


@login_required
@permission_required("incidents.view_communicationdraft")
@require_http_methods(["GET", "POST"])
def communications(request: HttpRequest, pk: int) -> HttpResponse:
    """The incident's drafts, and (POST, with the add permission) a new one."""
    incident = get_object_or_404(Incident.objects.select_related("incident_type"), pk=pk)
    form = DraftCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm("incidents.add_communicationdraft"):
            raise PermissionDenied("Drafting communications needs the SRE or SRE Lead role.")
        done = submit_form(
            request,
            form,
            lambda data: services.communication_draft_create(
                actor=request.user, incident=incident, kind=data["kind"]
            ),
            success=lambda d: f"{d.get_kind_display()} drafted: edit it before you use it.",
            redirect_to=lambda d: reverse("postmortems:draft-edit", args=[pk, d.pk]),
        )
        if done is not None:
            return done
        status = 400
    return render(
        request,
        "incidents/communications/list.html",
        {
            "incident": incident,
            "drafts": selectors.communication_drafts(incident),
            "form": form,
            "may_draft": request.user.has_perm("incidents.add_communicationdraft"),
        },
        status=status,
    )


def _get_draft(pk: int, draft_pk: int) -> CommunicationDraft:
    return get_object_or_404(
        CommunicationDraft.objects.select_related("incident", "used_by", "created_by"),
        pk=draft_pk,
        incident_id=pk,
    )


@login_required
@permission_required("incidents.view_communicationdraft")
@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, pk: int, draft_pk: int) -> HttpResponse:
    """A draft: those who may change it edit it; the other readers see its text."""
    may_edit = request.user.has_perm("incidents.change_communicationdraft")
    if request.method == "POST" and not may_edit:
        raise PermissionDenied("Editing a communication draft needs the SRE or SRE Lead role.")
    draft = _get_draft(pk, draft_pk)
    form = DraftEditForm(
        request.POST or None, initial={"subject": draft.subject, "body": draft.body}
    )
    if may_edit and not draft.is_used:
        done = submit_form(
            request,
            form,
            lambda data: services.communication_draft_update(
                actor=request.user, draft=draft, subject=data["subject"], body=data["body"]
            ),
            success=lambda d: "Draft saved.",
            redirect_to=lambda d: reverse("postmortems:draft-edit", args=[pk, d.pk]),
        )
        if done is not None:
            return done
    elif request.method == "POST":
        messages.error(request, services.USED)
    return render(
        request,
        "incidents/communications/edit.html",
        {"incident": draft.incident, "draft": draft, "form": form, "may_edit": may_edit},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
@permission_required("incidents.change_communicationdraft")
def draft_used(request: HttpRequest, pk: int, draft_pk: int) -> HttpResponse:
    draft = _get_draft(pk, draft_pk)
    try:
        services.communication_draft_mark_used(actor=request.user, draft=draft)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Marked as used; the incident's timeline records it.")
    return redirect(_list_url(pk))
