"""The notification regimes in the browser: `/compliance/regimes/` and each regime's page.

Read by whoever holds `compliance.view_notificationregime` (DPO, Legal Counsel, Auditor).
The DPO (`compliance.change_notificationregime`) also gets a form on a regime's page to
switch it on or off and, for the seed runbook's internal rules, to set their parameters,
with a reason; it posts to its own address, calls `regime_services.regime_update` and, when
refused, shows the regime's page again with the input kept and the errors by field (400).
A statutory regime's legal facts are read from the data file and never edited here.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from bcp_portal.core.filters import filtered_by
from bcp_portal.core.forms import submit_form
from bcp_portal.core.paginator import page_of
from bcp_portal.core.roles import permission_required
from compliance import regime_selectors as selectors
from compliance.deadlines.regimes import Regime
from compliance.models_notifications import NotificationRegime
from compliance.regime_forms import RegimeChangeForm, RegimeFilterSet
from compliance.regime_services import PERM_CHANGE, regime_update
from incidents.models import IncidentType

PAGE_SIZE = 25

PARAMETER_LABELS = {
    "incident_type_key": "Incident type",
    "severity_threshold": "Severity threshold (or more severe)",
    "deadline_hours": "Deadline (hours)",
    "min_outage_minutes": "Outage longer than (minutes)",
    "min_affected_users": "More affected users than",
}


def _parameter_rows(regime: NotificationRegime, data: Regime | None) -> list[dict[str, object]]:
    """An internal rule's parameters: in use, the data file's value, whether edited."""
    in_use = selectors.effective_parameters(regime, data)
    from_file = selectors.file_parameters(data)
    return [
        {
            "label": label,
            "value": in_use.get(column),
            "file_value": from_file.get(column),
            "edited": getattr(regime, column) not in (None, ""),
        }
        for column, label in PARAMETER_LABELS.items()
    ]


@login_required
@permission_required(selectors.PERM_VIEW)
@require_safe
@filtered_by(RegimeFilterSet)
def regime_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    filterset = RegimeFilterSet(params, queryset=selectors.regime_queryset(), request=request)
    valid = filterset.is_valid()
    qs = filterset.qs if valid else filterset.queryset.none()
    page, page_error = page_of(Paginator(qs, PAGE_SIZE), params)
    return render(
        request,
        "compliance/regimes.html",
        {
            "page": page,
            "rows": selectors.regime_rows(page.object_list),
            "page_error": page_error,
            "filter_form": filterset.form,
            "filtered": any(params.get(name) for name in filterset.filters),
        },
        status=200 if valid and not page_error else 400,
    )


def _regime(key: str) -> NotificationRegime:
    regime = selectors.regime_by_key(key)
    if regime is None:
        raise Http404("No such regime.")
    return regime


def _change_form(
    request: HttpRequest, regime: NotificationRegime, data: object = None
) -> RegimeChangeForm:
    data_regime = selectors.file_regime(regime.key)
    types = (
        list(IncidentType.objects.order_by("name").values_list("key", "name"))
        if regime.is_internal
        else []
    )
    return RegimeChangeForm(
        data,
        regime=regime,
        file_values=selectors.file_parameters(data_regime),
        incident_types=types,
    )


def _regime_page(
    request: HttpRequest,
    regime: NotificationRegime,
    *,
    form: RegimeChangeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    data = selectors.file_regime(regime.key)
    may_change = request.user.has_perm(PERM_CHANGE)
    if may_change and form is None:
        form = _change_form(request, regime)
    return render(
        request,
        "compliance/regime_detail.html",
        {
            "regime": regime,
            "data": data,
            "stages": selectors.stage_views(data, selectors.effective_parameters(regime, data))
            if data is not None
            else [],
            "sources": [
                (cite, url if url.startswith(("https://", "http://")) else "")
                for cite, url in (data.sources if data is not None else ())
            ],
            "parameters": _parameter_rows(regime, data) if regime.is_internal else [],
            "form": form if may_change else None,
            "changes": selectors.regime_history(regime),
        },
        status=status,
    )


@login_required
@permission_required(selectors.PERM_VIEW)
@require_safe
def regime_detail(request: HttpRequest, key: str) -> HttpResponse:
    return _regime_page(request, _regime(key))


@login_required
@permission_required(PERM_CHANGE)
@require_POST
def regime_change(request: HttpRequest, key: str) -> HttpResponse:
    regime = _regime(key)
    form = _change_form(request, regime, request.POST)
    saved = submit_form(
        request,
        form,
        lambda data: regime_update(
            actor=request.user, regime=regime, reason=data["reason"], **form.changes()
        ),
        # `regime` is the row as it was: the service saves a fresh copy.
        success=lambda row: f"{row.name}: {form.describe()}; open incidents are evaluated again.",
        redirect_to=lambda row: reverse("regimes:detail", args=[row.key]),
    )
    if saved:
        return saved
    return _regime_page(request, regime, form=form, status=400)
