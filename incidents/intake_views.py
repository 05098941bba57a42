"""Pages of alert intake for the SRE Lead: sources (list, create with the token shown once,
revoke) and each source's mapping table."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bcp_portal.core.forms import (
    already_saved,
    apply_validation_error,
    earlier_submission,
    save_once,
)
from bcp_portal.core.integrity import as_validation_error
from bcp_portal.core.paginator import CappedPaginator, page_of
from bcp_portal.core.roles import permission_required
from bcp_portal.core.submissions import AlreadySubmitted
from incidents import intake_selectors as selectors
from incidents.intake_forms import IntakeSourceForm, MappingFormSet, mapping_initial
from incidents.models import IntakeSource
from incidents.services import intake_sources as services


def endpoint_url(kind: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(f"intake:{kind}")


def _source_or_404(user, pk: int) -> IntakeSource:
    try:
        return selectors.intake_source_detail(user=user, pk=pk)
    except IntakeSource.DoesNotExist:
        raise Http404("No such intake source.") from None


@login_required
@permission_required("incidents.view_intakesource")
@require_safe
def source_list(request: HttpRequest) -> HttpResponse:
    page, page_error = page_of(
        CappedPaginator(selectors.intake_source_list(user=request.user), 25), request.GET
    )
    return render(
        request,
        "incidents/intake/source_list.html",
        {
            "page": page,
            "page_error": page_error,
            "can_add": request.user.has_perm("incidents.add_intakesource"),
        },
        status=400 if page_error else 200,
    )


@never_cache  # the answer that shows a new token must not sit in any cache
@login_required
@permission_required("incidents.add_intakesource")
@require_http_methods(["GET", "POST"])
def source_create(request: HttpRequest) -> HttpResponse:
    """A new source; its token is in the POST's answer only (the portal keeps its hash)."""
    form = IntakeSourceForm(request.POST or None)
    if request.method == "POST":
        earlier = earlier_submission(request, form)
        if earlier is not None:
            return already_saved(request, earlier)
        if form.is_valid():
            try:
                source, raw = save_once(
                    request,
                    form,
                    lambda: services.intake_source_create(actor=request.user, **form.cleaned_data),
                    result_url=lambda made: made[0].get_absolute_url(),
                )
            except AlreadySubmitted as repeat:
                return already_saved(request, repeat)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except IntegrityError as exc:
                apply_validation_error(form, as_validation_error(exc))
            else:
                return render(
                    request,
                    "incidents/intake/source_created.html",
                    {"source": source, "token": raw, "endpoint": endpoint_url(source.kind)},
                )
    return render(
        request,
        "incidents/intake/source_form.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@permission_required("incidents.view_intakesource")
@require_http_methods(["GET", "POST"])
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The source, its endpoint and its mapping table (editable with the change permission)."""
    source = _source_or_404(request.user, pk)
    can_change = request.user.has_perm("incidents.change_intakesource") and source.is_live
    status = 200
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("You may not change this source's mapping table.")
        formset = MappingFormSet(request.POST, prefix="map")
        if formset.is_valid():
            try:
                services.intake_mappings_set(actor=request.user, source=source, rows=formset.rows())
            except ValidationError as exc:
                formset._non_form_errors = formset.error_class(exc.messages)  # type: ignore[attr-defined]
            else:
                messages.success(request, "Mapping table saved.")
                return redirect(source.get_absolute_url())
        status = 400
    else:
        formset = MappingFormSet(initial=mapping_initial(source), prefix="map")
    return render(
        request,
        "incidents/intake/source_detail.html",
        {
            "source": source,
            "formset": formset,
            "can_change": can_change,
            "endpoint": endpoint_url(source.kind),
        },
        status=status,
    )


@login_required
@permission_required("incidents.change_intakesource")
@require_POST
def source_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source_or_404(request.user, pk)
    if source.is_live:
        services.intake_source_revoke(actor=request.user, source=source)
        messages.success(request, f"“{source}” revoked: its token no longer opens anything.")
    else:
        messages.info(request, f"“{source}” was already revoked.")
    return redirect(source.get_absolute_url())
