"""Bench-only views: what a page is compared with.

`baseline`: a plain `values()` of the same 100 rows a list shows, as JSON: the cost of
Django, the database round trip and the server, without the page's own work.
`direct_pdf`: WeasyPrint laying out the identical HTML an export renders (rendered once and
kept), so the export's ratio is the cost of everything around the layout.
`plain_post`: what the alert intake's "alert again" (nothing to write) is compared with: a
JSON POST answered after one indexed read (the source whose token the request carries), no
transaction, no writes.
`plain_write`: what the alert intake's "new alert" is compared with: the work a new alert
cannot avoid, with plain ORM calls and no portal service, in one transaction: the source
by its token's SHA-256 (one indexed read), the group and its incident (one indexed read),
an alert row and a timeline entry inserted, and the entry's history row (the model's own
save(): django-simple-history writes it). The alert row is operational, not historised, in
the portal too, so it has no history row here either. No payload checks, no mapping table,
no de-duplication, no permission: what the portal adds to that is what its ratio measures.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bcp_portal.actions.models import Action
from bcp_portal.catalogue.models import Service
from bcp_portal.contacts.models import Contact
from drills.models import Drill, DrillReport

ROWS = 100
TABLES = {
    "drills": lambda: Drill.objects.order_by("-starts_at", "-pk"),
    "drill-reports": lambda: DrillReport.objects.order_by("-drill_date", "-pk"),
    "actions": lambda: Action.objects.order_by(
        Case(When(status__in=Action.OPEN_STATUSES, then=Value(0)), default=Value(1)),
        F("due_date").asc(nulls_last=True),
        "pk",
    ),
    "services": lambda: Service.objects.order_by("name", "pk"),
    "contacts": lambda: Contact.objects.order_by("name", "pk"),
    # The inbox's changes (oldest submission first) and one document's versions.
    "runbook-changes": lambda: _runbook("ChangeRequest").order_by("submitted_at", "pk"),
    "runbook-versions": lambda: (
        _runbook("RunbookVersion").filter(document_id=1).defer("content").order_by("-sequence")
    ),
    # Incidents (issue #10): the list's and the metrics' table, the post-mortems, on-call.
    "incidents": lambda: _incidents("Incident").order_by("-detected_at", "-pk"),
    "postmortems": lambda: _incidents("PostMortem").order_by("-created_at", "-pk"),
    "oncall-overrides": lambda: _incidents("OnCallOverride").order_by("rotation_id", "ends_at"),
    # The compliance desk's running clocks (issue #11): open obligations by time left.
    "obligations": lambda: _runbook("Obligation").filter(status="open").order_by("due_at", "pk"),
}


def _incidents(model: str):
    from django.apps import apps

    return apps.get_model("incidents", model).objects


def _runbook(model: str):
    from django.apps import apps

    return apps.get_model("compliance", model).objects


_HTML: dict[str, str] = {}


def _guard() -> None:
    if not getattr(settings, "BENCH", False):
        raise Http404("Bench views are off.")


def baseline(request: HttpRequest, table: str) -> JsonResponse:
    _guard()
    if table not in TABLES:
        raise Http404(table)
    rows = list(TABLES[table]().values()[:ROWS])
    return JsonResponse({"rows": rows}, json_dumps_params={"default": str})


@csrf_exempt
@require_POST
def plain_post(request: HttpRequest) -> JsonResponse:
    _guard()
    from incidents.models import IntakeSource

    data = json.loads(request.body or b"{}")
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    source = (
        IntakeSource.objects.filter(token_hash=IntakeSource.hash(token))
        .values("pk", "name")
        .first()
    )
    return JsonResponse({"source": source, "alerts": len(data.get("alerts", []))})


@csrf_exempt
@require_POST
def plain_write(request: HttpRequest) -> JsonResponse:
    _guard()
    from incidents.models import AlertGroup, IntakeAlert, IntakeSource, TimelineEntry

    data = json.loads(request.body or b"{}")
    alert = data["alerts"][0]
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    now = timezone.now()
    with transaction.atomic():
        source = (
            IntakeSource.objects.filter(token_hash=IntakeSource.hash(token))
            .values("pk", "name")
            .first()
        )
        if source is None:
            return JsonResponse({"error": "Unknown token."}, status=401)
        group = (
            AlertGroup.objects.filter(
                source_id=source["pk"], key_hash=AlertGroup.hash(data["groupKey"])
            )
            .values("pk", "incident_id", "incident__status")
            .first()
        )
        if group is None or group["incident_id"] is None:
            return JsonResponse({"error": "No such group, or no incident yet."}, status=404)
        title = alert["annotations"]["summary"]
        IntakeAlert.objects.create(
            group_id=group["pk"],
            incident_id=group["incident_id"],
            fingerprint=alert["fingerprint"],
            status=alert["status"],
            title=title,
            starts_at=now,
            labels=alert["labels"],
            annotations=alert["annotations"],
            generator_url=alert["generatorURL"],
            severity="P3",
            received_at=now,
        )
        TimelineEntry(
            incident_id=group["incident_id"],
            at=now,
            kind="alert",
            event=f"Alert firing: {title}",
            owner_name=source["name"],
        ).save()
    return JsonResponse({"incident": group["incident_id"], "recorded": 1})


def _document_html(request: HttpRequest, document: str) -> str:
    from bcp_portal.catalogue.reports import SERVICE_CATALOGUE, catalogue_params
    from bcp_portal.core.exports import build_export
    from bcp_portal.core.pdf import render_html
    from drills.reports import drill_report_document

    if document == "catalogue":
        report = build_export(
            user=request.user, kind=SERVICE_CATALOGUE, params=catalogue_params({})
        )
        return render_html(template=report.template, context=report.context, reader=request.user)
    if document.startswith("version-"):
        from compliance.reports import version_document, version_queryset

        pk = int(document.removeprefix("version-"))
        template, context, _ = version_document(version_queryset().get(pk=pk))
        return render_html(template=template, context=context, reader=request.user)
    if document.startswith("report-"):
        pk = int(document.removeprefix("report-"))
        template, context, _ = drill_report_document(DrillReport.objects.get(pk=pk))
        return render_html(template=template, context=context, reader=request.user)
    raise Http404(document)


def direct_pdf(request: HttpRequest, document: str) -> HttpResponse:
    _guard()
    from bcp_portal.core.pdf import html_to_pdf

    if document not in _HTML:
        _HTML[document] = _document_html(request, document)
    pdf = html_to_pdf(_HTML[document])
    return HttpResponse(pdf, content_type="application/pdf")
