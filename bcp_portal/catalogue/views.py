from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from bcp_portal.catalogue import selectors, services
from bcp_portal.catalogue.filters import ServiceFilterSet
from bcp_portal.catalogue.forms import CompetentAuthorityForm, LegalEntityForm, ServiceForm
from bcp_portal.catalogue.models import CompetentAuthority, LegalEntity, Service
from bcp_portal.catalogue.regulatory import ENTITY_STATUSES
from bcp_portal.catalogue.reports import (
    DIRECT_DOWNLOAD_MAX_ROWS,
    SERVICE_CATALOGUE,
    catalogue_params,
)
from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.catalogue.services import OBJECTIVE_FIELDS
from bcp_portal.core.exports import build_export, start_export
from bcp_portal.core.filters import filtered_by
from bcp_portal.core.forms import submit_form
from bcp_portal.core.paginator import page_of
from bcp_portal.core.pdf import pdf_response
from bcp_portal.core.roles import permission_required


def _service_filters(request, params) -> ServiceFilterSet:
    return ServiceFilterSet(
        params,
        queryset=selectors.service_list(user=request.user, include_inactive=True),
        request=request,
    )


@login_required
@permission_required("catalogue.view_service")
@require_safe
@filtered_by(ServiceFilterSet)
def service_list(request):
    params = request.GET
    filterset = _service_filters(request, params)
    valid = filterset.is_valid()
    qs = filterset.qs if valid else filterset.queryset.none()
    page, page_error = page_of(Paginator(qs, 25), params)
    return render(
        request,
        "catalogue/service_list.html",
        {
            "page": page,
            "page_error": page_error,
            "filter_form": filterset.form,
            "kinds": Service.Kind.choices,
            "priorities": Service.Priority.choices,
            "can_add": request.user.has_perm("catalogue.add_service"),
        },
        status=200 if valid and not page_error else 400,
    )


def _back_to_the_list(request, params):
    """Malformed filters: the list page shows what is wrong with them."""
    params = params.copy()
    params.pop("csrfmiddlewaretoken", None)
    return redirect(f"{reverse('catalogue:service-list')}?{params.urlencode()}")


@login_required
@permission_required("catalogue.view_service")
@require_safe
def service_detail(request, pk: int):
    service = get_object_or_404(Service, pk=pk)
    changes = selectors.service_history(service)
    return render(
        request,
        "catalogue/service_detail.html",
        {
            "service": service,
            "changes": changes,
            "can_change": request.user.has_perm("catalogue.change_service"),
        },
    )


@login_required
@permission_required("catalogue.add_service")
@require_http_methods(["GET", "POST"])
def service_create(request):
    profile = organisation_profile()
    objectives = {name: getattr(profile, name) for name in OBJECTIVE_FIELDS}
    form = ServiceForm(request.POST or None, objectives=objectives)
    saved = submit_form(
        request,
        form,
        lambda data: services.service_create(actor=request.user, **data),
        success=lambda service: f"“{service}” added to the catalogue.",
    )
    if saved:
        return saved
    return render(request, "catalogue/service_form.html", {"form": form, "service": None})


@login_required
@permission_required("catalogue.change_service")
@require_http_methods(["GET", "POST"])
def service_edit(request, pk: int):
    service = get_object_or_404(Service, pk=pk)
    form = ServiceForm(request.POST or None, instance=Service.objects.get(pk=pk))
    saved = submit_form(
        request,
        form,
        lambda data: services.service_update(actor=request.user, service=service, **data),
        success=lambda service: f"“{service}” saved.",
    )
    if saved:
        return saved
    return render(request, "catalogue/service_form.html", {"form": form, "service": service})


@login_required
@permission_required("catalogue.view_service")
@require_GET
def service_catalogue_pdf(request):
    """The catalogue (list filters applied) as a PDF, rendered here while it is small."""
    if not _service_filters(request, request.GET).is_valid():
        return _back_to_the_list(request, request.GET)
    params = catalogue_params(request.GET)
    report = build_export(user=request.user, kind=SERVICE_CATALOGUE, params=params)
    if len(report.context["services"]) > DIRECT_DOWNLOAD_MAX_ROWS:
        messages.info(request, "The catalogue is too long to download at once: prepare the PDF.")
        return redirect(f"{reverse('catalogue:service-list')}?{request.GET.urlencode()}")
    return pdf_response(
        request, template=report.template, context=report.context, filename=report.filename
    )


@login_required
@permission_required("catalogue.view_service")
@require_POST
def service_catalogue_export(request):
    """Have a worker render the catalogue PDF; the progress page offers the download."""
    if not _service_filters(request, request.POST).is_valid():
        return _back_to_the_list(request, request.POST)
    progress = start_export(
        user=request.user,
        kind=SERVICE_CATALOGUE,
        params=catalogue_params(request.POST),
        title="Service catalogue (PDF)",
    )
    return redirect(progress)


# --- The organisation: its legal entities and the authorities it notifies -----------------


@login_required
@permission_required("catalogue.view_legalentity")
@require_safe
def organisation(request):
    """The organisation profile with its legal entities and competent authorities."""
    user = request.user
    return render(
        request,
        "catalogue/organisation.html",
        {
            "profile": organisation_profile(),
            "entities": selectors.legal_entities(),
            "authorities": selectors.competent_authorities(),
            "statuses": ENTITY_STATUSES,
            "can_add_entity": user.has_perm("catalogue.add_legalentity"),
            "can_change_entity": user.has_perm("catalogue.change_legalentity"),
            "can_add_authority": user.has_perm("catalogue.add_competentauthority"),
            "can_change_authority": user.has_perm("catalogue.change_competentauthority"),
        },
    )


def _organisation_form(request, form, save, *, title: str):
    saved = submit_form(
        request,
        form,
        save,
        success=lambda obj: f"“{obj}” saved.",
        redirect_to="catalogue:organisation",
    )
    if saved:
        return saved
    return render(request, "catalogue/organisation_form.html", {"form": form, "title": title})


@login_required
@permission_required("catalogue.add_legalentity")
@require_http_methods(["GET", "POST"])
def legal_entity_create(request):
    form = LegalEntityForm(request.POST or None)
    return _organisation_form(
        request,
        form,
        lambda data: services.legal_entity_create(actor=request.user, **data),
        title="Add a legal entity",
    )


@login_required
@permission_required("catalogue.change_legalentity")
@require_http_methods(["GET", "POST"])
def legal_entity_edit(request, pk: int):
    entity = get_object_or_404(LegalEntity, pk=pk)
    form = LegalEntityForm(request.POST or None, instance=LegalEntity.objects.get(pk=pk))
    return _organisation_form(
        request,
        form,
        lambda data: services.legal_entity_update(actor=request.user, entity=entity, **data),
        title=f"Edit {entity}",
    )


@login_required
@permission_required("catalogue.add_competentauthority")
@require_http_methods(["GET", "POST"])
def authority_create(request):
    form = CompetentAuthorityForm(request.POST or None)
    return _organisation_form(
        request,
        form,
        lambda data: services.competent_authority_create(actor=request.user, **data),
        title="Add a competent authority",
    )


@login_required
@permission_required("catalogue.change_competentauthority")
@require_http_methods(["GET", "POST"])
def authority_edit(request, pk: int):
    authority = get_object_or_404(CompetentAuthority, pk=pk)
    form = CompetentAuthorityForm(
        request.POST or None, instance=CompetentAuthority.objects.get(pk=pk)
    )
    return _organisation_form(
        request,
        form,
        lambda data: services.competent_authority_update(
            actor=request.user, authority=authority, **data
        ),
        title=f"Edit {authority}",
    )
