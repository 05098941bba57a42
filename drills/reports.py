"""PDF context for a drill report, laid out as the runbook's drill report template."""

from __future__ import annotations

from bcp_portal.core.pdf import DocumentControl
from bcp_portal.core.people import display_name
from drills.models import DrillReport

TEMPLATE = "print/drill_report.html"


def drill_report_document(report: DrillReport) -> tuple[str, dict, str]:
    """(template, context, filename) for one report; `report` from report_detail_queryset."""
    status = "submitted" if report.is_locked else "DRAFT"
    document = DocumentControl(
        document_id=report.document_id,
        title=f"DR drill report: {report.drill.title}",
        revision=f"{report.revision} ({status})",
        classification="Internal/Confidential",
        owner="SRE Team",
        approved_by=(
            f"Submitted by {display_name(report.submitted_by)}"
            if report.submitted_by
            else "Not submitted"
        ),
    )
    filename = f"{report.document_id}-rev{report.revision}.pdf"
    return TEMPLATE, {"document": document, "report": report}, filename
