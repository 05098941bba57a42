"""The DR metrics page and its monthly PDF report.

Who reads them: everyone whose role may see incidents (`incidents.view_incident`: SRE, SRE
Lead, Engineering Manager, CTO, DPO, Legal Counsel, Auditor). The figures are aggregates of
incidents those roles already read one by one; SREs and their lead watch their own RTO, the
managers the programme, the DPO and Legal the availability the organisation commits to, the
Auditor the evidence. A person without a role sees nothing.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from bcp_portal.catalogue.models import Service
from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core.filters import PortalFilterSet, filtered_by
from bcp_portal.core.pdf import pdf_response
from bcp_portal.core.people import zone_named
from bcp_portal.core.roles import permission_required
from incidents import metrics
from incidents.metric_filters import MetricsFilterSet, MetricsReportFilterSet
from incidents.metric_reports import (
    metrics_context,
    metrics_document,
    metrics_filename,
)
from incidents.models import Incident, Severity

VIEW_PERM = "incidents.view_incident"


def _figures(request: HttpRequest, filterset: PortalFilterSet, default: str) -> tuple:
    """(valid, result, services for the picker): a malformed filter shows the default
    period's figures under the error, as the other lists do."""
    valid = filterset.is_valid()
    profile = organisation_profile()
    zone = zone_named(profile.time_zone)
    today = timezone.localdate(timezone=zone)
    if valid:
        scope = filterset.scope(today=today, zone=zone)
    elif default == "month":
        scope = metrics.Scope(period=metrics.previous_month(today, zone))
    else:
        scope = metrics.Scope(period=metrics.trailing_months(today, zone))
    result = metrics.dr_metrics(scope=scope, profile=profile)
    services = list(
        Service.objects.filter(is_active=True).order_by("name").values_list("pk", "name")
    )
    return valid, result, services


def _service_name(result: metrics.DrMetrics, services: list) -> str:
    wanted = result.scope.service_id
    if wanted is None:
        return ""
    named = dict(services) | {a.service_id: a.name for a in result.availability}
    return named.get(wanted, f"service {wanted}")


@login_required
@permission_required(VIEW_PERM)
@require_safe
@filtered_by(MetricsFilterSet)
def metrics_page(request: HttpRequest) -> HttpResponse:
    filterset = MetricsFilterSet(request.GET, queryset=Incident.objects.none(), request=request)
    valid, result, services = _figures(request, filterset, "year")
    context = metrics_context(result, service_name=_service_name(result, services))
    context |= {
        "filter_form": filterset.form,
        "services": services,
        "severities": Severity.choices,
        "query": request.GET.urlencode() if valid else "",
        "pdf_query": _report_query(result),
    }
    return render(request, "incidents/metrics.html", context, status=200 if valid else 400)


def _report_query(result: metrics.DrMetrics) -> str:
    """The monthly report of the same service and severity (its month is the default)."""
    params = {"service": result.scope.service_id or "", "severity": result.scope.severity}
    return urlencode({name: value for name, value in params.items() if value})


@login_required
@permission_required(VIEW_PERM)
@require_safe
@filtered_by(MetricsReportFilterSet)
def metrics_pdf(request: HttpRequest) -> HttpResponse:
    """One month (the previous by default) as a PDF; a malformed parameter shows the page
    with the error instead (HTTP 400)."""
    filterset = MetricsReportFilterSet(
        request.GET, queryset=Incident.objects.none(), request=request
    )
    valid, result, services = _figures(request, filterset, "month")
    context = metrics_context(result, service_name=_service_name(result, services))
    if not valid:
        context |= {
            "filter_form": filterset.form,
            "services": services,
            "severities": Severity.choices,
            "query": "",
            "pdf_query": "",
        }
        return render(request, "incidents/metrics.html", context, status=400)
    context["document"] = metrics_document(result)
    return pdf_response(
        request,
        template="print/incident_metrics.html",
        context=context,
        filename=metrics_filename(result),
    )
