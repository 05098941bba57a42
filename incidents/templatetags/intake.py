"""`{% incident_alerts incident as alerts %}`: the alerts panel's rows for the reader."""

from __future__ import annotations

from typing import Any

from django import template

from incidents.intake_selectors import INCIDENT_ALERTS_SHOWN, incident_alerts
from incidents.models import Incident

register = template.Library()


@register.simple_tag(takes_context=True)
def incident_alerts_for(context: template.Context, incident: Incident) -> dict[str, Any]:
    user = context.get("user") or context["request"].user
    rows = incident_alerts(user=user, incident=incident)
    return {
        "rows": rows[:INCIDENT_ALERTS_SHOWN],
        "more": len(rows) > INCIDENT_ALERTS_SHOWN,
        "shown": INCIDENT_ALERTS_SHOWN,
        "visible": user.has_perm("incidents.view_intakealert"),
    }
