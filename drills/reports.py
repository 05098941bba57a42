"""PDF context for a drill report, laid out as the runbook's drill report template."""

from __future__ import annotations

from django.utils import timezone

from bcp_portal.core import limits
from bcp_portal.core.exports import Export, register
from bcp_portal.core.pdf import DocumentControl, reader_zone
from bcp_portal.core.people import display_name, zone_named
from bcp_portal.core.typehints import Actor
from drills.models import DrillReport
from drills.report_selectors import report_detail_queryset

TEMPLATE = "print/drill_report.html"


def drill_report_document(
    report: DrillReport, *, reader: Actor | None = None
) -> tuple[str, dict, str]:
    """(template, context, filename) for one report; `report` from report_detail_queryset.

    `drill_starts` is when the drill began, in the reader's zone (named after the time).
    """
    status = "submitted" if report.is_locked else "DRAFT"
    document = DocumentControl(
        document_id=report.document_id,
        title=f"DR drill report: {report.drill.title}",
        revision=f"{report.revision} ({status})",
        classification="Internal/Confidential",
        owner="SRE Team",
        # Who submitted it, under that label: nothing in the portal approves a report yet.
        submitted_by=display_name(report.submitted_by) if report.submitted_by else "",
    )
    zone = reader_zone(reader)
    starts = timezone.localtime(report.drill.starts_at, zone_named(zone))
    context = {
        "document": document,
        "report": report,
        "drill_starts": f"{starts:%Y-%m-%d %H:%M} {zone}",
    }
    filename = f"{report.document_id}-rev{report.revision}.pdf"
    return TEMPLATE, context, filename


# --- A long report's PDF, rendered by a worker -------------------------------------------
REPORT_EXPORT = "drills.report"


def report_size(report: DrillReport) -> tuple[int, int]:
    """(rows, characters of text) of a report from `report_detail_queryset` (no query)."""
    steps, issues, actions = report.steps.all(), report.issues.all(), report.actions.all()
    texts = [report.scenario, report.summary, report.other_participants]
    texts += [s.description + s.notes for s in steps]
    texts += [i.description for i in issues]
    texts += [a.title for a in actions]
    return len(steps) + len(issues) + len(actions), sum(len(t) for t in texts)


def renders_in_the_request(report: DrillReport) -> bool:
    """Small enough to render while the reader waits (`bcp_portal.core.limits`)."""
    rows, chars = report_size(report)
    return rows <= limits.REPORT_PDF_DIRECT_MAX_ROWS and chars <= limits.REPORT_PDF_DIRECT_MAX_CHARS


@register(REPORT_EXPORT, permission="drills.view_drillreport")
def report_export(*, params: dict, user: Actor) -> Export:
    report = report_detail_queryset().get(pk=params["report"])
    template, context, filename = drill_report_document(report, reader=user)
    return Export(template=template, context=context, filename=filename)
