"""PDF exports of the catalogue, registered with bcp_portal.core.exports."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from bcp_portal.catalogue import selectors
from bcp_portal.catalogue.models import Service
from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core import limits
from bcp_portal.core.exports import Export, Progress, register
from bcp_portal.core.pdf import DocumentControl

SERVICE_CATALOGUE = "catalogue.service_catalogue"
# About seven pages: more than that is rendered by a worker, not inside a request.
DIRECT_DOWNLOAD_MAX_ROWS = limits.CATALOGUE_PDF_DIRECT_MAX_ROWS
FILTERS = ("q", "kind", "priority", "inactive")


def catalogue_params(query: Mapping[str, str]) -> dict[str, str]:
    """The list page's filters (GET or POST data) as JSON-safe report parameters."""
    return {name: query.get(name, "").strip() for name in FILTERS if query.get(name, "").strip()}


@register(SERVICE_CATALOGUE, permission="catalogue.view_service")
def service_catalogue(*, params: dict, user, progress: Progress) -> Export:
    """The catalogue as the list page shows it (same filters), one row per entry."""
    progress(0, "Reading the catalogue")
    services = list(
        selectors.service_list(
            user=user,
            search=params.get("q", ""),
            kind=params.get("kind", ""),
            priority=params.get("priority", ""),
            include_inactive=params.get("inactive") == "1",
        )
    )
    progress(100, f"{len(services)} entries read")
    now = timezone.now()
    return Export(
        template="print/service_catalogue.html",
        context={
            "document": DocumentControl(
                document_id="BCP-SVC-CAT",
                title="Service catalogue",
                # A snapshot of live data: its revision is the moment it was taken.
                revision=f"Snapshot {now:%Y-%m-%d %H:%M} UTC",
                classification="Internal",
                owner=organisation_profile().name,
            ),
            "services": services,
            "filters": _describe_filters(params),
        },
        filename=f"service-catalogue-{now:%Y%m%d-%H%M}.pdf",
    )


def _describe_filters(params: dict) -> list[str]:
    described = []
    if params.get("q"):
        described.append(f"Search: “{params['q']}”")
    if params.get("kind"):
        described.append(f"Kind: {dict(Service.Kind.choices).get(params['kind'], params['kind'])}")
    if params.get("priority"):
        priority = params["priority"]
        described.append(f"Priority: {dict(Service.Priority.choices).get(priority, priority)}")
    if params.get("inactive") == "1":
        described.append("Inactive entries included")
    return described
