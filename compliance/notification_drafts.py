"""The draft of a GDPR supervisory-authority notification (Art. 33(3)), from what is recorded.

Plain text the incident's notification page puts in the submission's content field, for the
DPO to complete and correct before recording it. It says what Art. 33(3) asks for, point by
point, with what the portal knows, and marks what it cannot know with "[to complete: ...]":

(a) the nature of the breach, the categories and approximate number of data subjects and of
    personal data records concerned;
(b) the name and contact details of the DPO or another contact point;
(c) the likely consequences of the breach;
(d) the measures taken or proposed to address it and mitigate its possible adverse effects.

Art. 33(4) allows the information to be provided in phases: the draft ends by saying so.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Q

from bcp_portal.catalogue.selectors import organisation_zone
from bcp_portal.contacts.models import Contact
from bcp_portal.core.people import display_name
from bcp_portal.core.roles import DPO
from compliance.deadlines import types
from compliance.models_notifications import IncidentFact
from incidents.models import Incident, TimelineEntry

TO_COMPLETE = "[to complete: {}]"
# Timeline entries that describe what was done (not the alerts and pages that came in).
MEASURE_KINDS = (
    TimelineEntry.Kind.NOTE,
    TimelineEntry.Kind.STATUS,
    TimelineEntry.Kind.COMMUNICATION,
)
MAX_MEASURES = 30


def _when(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    if moment is None:
        return "not recorded"
    local = moment.astimezone(zone)
    utc = moment.astimezone(dt.UTC)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({utc:%Y-%m-%d %H:%M} UTC)"


def _contact_points() -> list[str]:
    """The DPO role's active accounts, and directory contacts named as the DPO."""
    people = [
        f"{display_name(user)}" + (f", {user.email}" if user.email else "")
        for user in get_user_model()
        .objects.filter(groups__name=DPO, is_active=True)
        .order_by("last_name", "first_name", "username")
    ]
    contacts = Contact.objects.filter(is_active=True).filter(
        Q(role_title__icontains="data protection") | Q(role_title__iexact="DPO")
    )
    for contact in contacts.order_by("name"):
        details = ", ".join(x for x in (contact.role_title, contact.email, contact.phone) if x)
        people.append(f"{contact.name}" + (f" ({details})" if details else ""))
    return people


def gdpr_art33_draft(*, incident: Incident) -> str:
    """Art. 33(3)(a)-(d) as plain text, from the incident, its facts and its timeline."""
    incident = Incident.objects.select_related("incident_type").get(pk=incident.pk)
    zone = organisation_zone()
    facts = list(IncidentFact.objects.filter(incident=incident).order_by("kind", "region"))
    dated = {f.kind: f.occurred_at for f in facts if f.occurred_at is not None}
    risk = next((f.value for f in facts if f.kind == IncidentFact.GDPR_RISK), "")
    regions = [
        (f.region, f.count)
        for f in facts
        if f.kind == IncidentFact.PERSONS_AFFECTED and f.count is not None
    ]
    lines = [
        "Notification of a personal data breach to the supervisory authority (GDPR Article 33)",
        "",
        f"Incident: {incident.reference} {incident.title}",
        f"Detected: {_when(incident.detected_at, zone)}",
        "Controller became aware: "
        + _when(dated.get(types.CONTROLLER_AWARENESS) or dated.get(types.AWARENESS), zone),
    ]
    if incident.started_at:
        lines.append(f"Breach began (onset): {_when(incident.started_at, zone)}")
    lines += [
        "",
        "(a) Nature of the personal data breach",
        f"Type: {incident.incident_type.name}.",
        incident.description.strip() or TO_COMPLETE.format("what happened"),
        "Personal data involved: yes."
        if incident.involves_personal_data
        else "Personal data involved: not marked on the incident.",
    ]
    if incident.involves_payment_data:
        lines.append("Payment card data is involved.")
    lines.append("Categories of data subjects: " + TO_COMPLETE.format("customers, staff..."))
    total = sum(count for _, count in regions)
    if regions:
        per_region = ", ".join(f"{region}: {count:,}" for region, count in regions)
        lines.append(f"Approximate number of data subjects: {total:,} ({per_region}).")
    elif incident.affected_users is not None:
        lines.append(
            f"Approximate number of data subjects: {incident.affected_users:,} "
            "(users affected by the incident)."
        )
    else:
        lines.append("Approximate number of data subjects: " + TO_COMPLETE.format("a number"))
    lines += [
        "Categories of personal data records concerned: "
        + TO_COMPLETE.format("identity, contact, financial..."),
        "Approximate number of personal data records concerned: " + TO_COMPLETE.format("a number"),
        "",
        "(b) Contact point for more information",
    ]
    points = _contact_points()
    lines += [f"- {p}" for p in points] or [TO_COMPLETE.format("the DPO's name and contact")]
    lines += ["", "(c) Likely consequences of the breach"]
    if risk:
        lines.append(f"Our assessment: {types.GDPR_RISK_LEVELS[risk].lower()}.")
    else:
        lines.append("Risk assessment: " + TO_COMPLETE.format("not recorded yet"))
    lines.append(TO_COMPLETE.format("the consequences for the data subjects"))
    lines += ["", "(d) Measures taken or proposed"]
    entries = list(
        TimelineEntry.objects.filter(incident=incident, kind__in=MEASURE_KINDS).order_by(
            "at", "pk"
        )[:MAX_MEASURES]
    )
    for entry in entries:
        action = f": {entry.action_taken.strip()}" if entry.action_taken.strip() else ""
        lines.append(f"- {_when(entry.at, zone)} {entry.event}{action}")
    if incident.restored_at:
        lines.append(f"- Service restored: {_when(incident.restored_at, zone)}")
    lines.append(TO_COMPLETE.format("measures to mitigate the possible adverse effects"))
    lines += [
        "",
        "Where it is not possible to provide all the information at the same time, it will be "
        "provided in phases without undue further delay (Art. 33(4)).",
    ]
    return "\n".join(lines)
