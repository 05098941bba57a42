"""PDF of an incident's notification pack: what was known when, what was owed to whom by
when, and what was sent.

Its sections: the incident, the dated facts (who recorded each, when, why, on what
evidence), the obligations with their deadlines (due in UTC and in the stage's local zone,
the rule, the counting method, the alternative reading, relief, provisional and unverified
labels, not applicable or waived with the reason), the submissions per obligation, and a
timeline of detection, the facts and the submissions in time order.

A pack is a few pages (an incident has tens of obligations): rendered in the request
(`bcp_portal.core.pdf`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from bcp_portal.core.pdf import DocumentControl
from compliance import desk_selectors
from incidents.models import Incident

TEMPLATE = "print/notification_pack.html"


def pack_filename(incident: Incident) -> str:
    return f"{incident.reference}_notifications.pdf"


def notification_pack(incident: Incident) -> tuple[str, dict[str, Any], str]:
    """(template, context, filename) of the incident's notification pack. Three queries."""
    now = timezone.now()
    facts = desk_selectors.incident_facts(incident.pk)
    obligations = desk_selectors.incident_obligations(incident.pk)
    control = DocumentControl(
        document_id=f"{incident.reference}-NOTIFY",
        title=f"Notification pack: {incident.reference}",
        # The pack is a snapshot: its revision is when it was made.
        revision=now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        classification="Confidential",
    )
    return (
        TEMPLATE,
        {
            "document": control,
            "incident": incident,
            "facts": facts,
            "clocks": desk_selectors.clocks(obligations, now),
            "timeline": desk_selectors.notification_timeline(incident, facts, obligations),
            "any_submission": any(o.submission_list for o in obligations),
            "now": now,
        },
        pack_filename(incident),
    )
