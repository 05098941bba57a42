"""What the DR metrics page and its monthly PDF show: the same figures, tables and charts.

The PDF is always rendered in the request: its figures are aggregates, so its length grows
with the number of catalogue services (one availability row each) and months, never with
the number of incidents; a month of 100,000 incidents prints the same two or three pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bcp_portal.core import charts
from bcp_portal.core.pdf import DocumentControl
from incidents.metrics import DrMetrics, Figures
from incidents.models import Severity


@dataclass(frozen=True)
class SeverityRow:
    """One line of the monthly table: a month and a severity (or the month's total)."""

    month_label: str
    severity: str
    figures: Figures
    is_total: bool = False


def table_rows(result: DrMetrics) -> list[SeverityRow]:
    """The runbook's monthly view, newest month first as its view orders it, each month's
    severities and then its total; months without incidents are left out of the table (the
    chart shows them as zero)."""
    rows: list[SeverityRow] = []
    for month in reversed(result.months):
        if not month.figures.incidents:
            continue
        for severity in Severity.values:
            figures = month.by_severity.get(severity)
            if figures is not None:
                rows.append(SeverityRow(f"{month.month:%B %Y}", severity, figures))
        if len(month.by_severity) > 1:
            rows.append(SeverityRow(f"{month.month:%B %Y}", "All", month.figures, True))
    return rows


def metrics_charts(result: DrMetrics) -> dict[str, str]:
    """The three charts as `data:` URLs (drawn once per set of figures, `core.charts`)."""
    severities = tuple(Severity.values)
    by_severity = [
        (
            f"{month.month:%b %Y}",
            *(month.by_severity[s].incidents if s in month.by_severity else 0 for s in severities),
        )
        for month in result.months
    ]
    attainment = [
        (
            f"{month.month:%b %Y}",
            month.figures.rto_target_share,
            month.figures.rto_max_share,
        )
        for month in result.months
    ]
    availability = [(a.name, a.percent) for a in result.availability if a.percent is not None]
    return {
        "severity_chart": charts.incidents_by_severity_chart(by_severity, severities=severities),
        "attainment_chart": charts.attainment_chart(attainment),
        "availability_chart": (
            charts.availability_chart(
                availability,
                target=float(result.profile.availability_target),
                minimum=float(result.profile.availability_min),
            )
            if availability
            else ""
        ),
    }


def metrics_context(result: DrMetrics, *, service_name: str = "") -> dict[str, Any]:
    """The page's and the PDF's context."""
    return {
        "result": result,
        "period": result.scope.period,
        "total": result.total,
        "table": table_rows(result),
        "availability": result.availability,
        "profile": result.profile,
        "service_name": service_name,
        "severity": result.scope.severity,
        **metrics_charts(result),
    }


def metrics_document(result: DrMetrics) -> DocumentControl:
    period = result.scope.period
    return DocumentControl(
        document_id=f"DR-METRICS-{period.first:%Y%m}"
        + ("" if period.first == period.last else f"-{period.last:%Y%m}"),
        title=f"DR metrics, {period.label}",
        owner="SRE Team",
    )


def metrics_filename(result: DrMetrics) -> str:
    period = result.scope.period
    if period.first == period.last:
        return f"dr-metrics-{period.first:%Y-%m}.pdf"
    return f"dr-metrics-{period.first:%Y-%m}-to-{period.last:%Y-%m}.pdf"
