"""`{% load incident_badges %}`: severity, status and target verdicts as badges, the same
on every page."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from incidents import selectors
from incidents.models import Incident, Severity

register = template.Library()

SEVERITY_CLASSES = {
    Severity.P0: "text-bg-danger",
    Severity.P1: "text-bg-warning",
    Severity.P2: "text-bg-info",
    Severity.P3: "text-bg-secondary",
}
STATUS_CLASSES = {
    Incident.Status.DETECTED: "text-bg-danger",
    Incident.Status.RESPONDING: "text-bg-warning",
    Incident.Status.MITIGATED: "text-bg-info",
    Incident.Status.RESTORED: "text-bg-success",
    Incident.Status.CLOSED: "text-bg-secondary",
}
VERDICT_CLASSES = {
    selectors.WITHIN_TARGET: "text-bg-success",
    selectors.WITHIN_MAX: "text-bg-warning",
    selectors.OVER: "text-bg-danger",
    selectors.UNKNOWN: "text-bg-light",
}


@register.filter
def severity_badge(severity: str) -> SafeString:
    if severity not in Severity.values:
        return format_html("{}", severity or "—")
    label = Severity(severity).label
    return format_html(
        '<span class="badge {}" title="{}">{}</span>', SEVERITY_CLASSES[severity], label, severity
    )


@register.filter
def status_badge(status: str) -> SafeString:
    if status not in Incident.Status.values:
        return format_html("{}", status or "—")
    return format_html(
        '<span class="badge {}">{}</span>',
        STATUS_CLASSES[Incident.Status(status)],
        Incident.Status(status).label,
    )


@register.filter
def verdict_badge(verdict: str) -> SafeString:
    return format_html(
        '<span class="badge {}">{}</span>', VERDICT_CLASSES.get(verdict, "text-bg-light"), verdict
    )
