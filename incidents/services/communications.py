"""Communication drafts: a status-page update or a customer email filled with the
incident's facts from the templates (`incidents/data/communication_templates.json`).

Drafts are never sent by the portal: a person edits one, publishes or sends it with the
tool they use for that, and marks it used here (a timeline entry records it). A used draft
no longer changes, so what went out stays as it went.
"""

from __future__ import annotations

import json
import string
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bcp_portal.catalogue.selectors import organisation_profile, organisation_zone
from bcp_portal.core.roles import require_perm
from bcp_portal.core.services import apply_changes, save_audited
from bcp_portal.core.typehints import Actor
from incidents.models import Incident, TimelineEntry
from incidents.models_postmortems import CommunicationDraft

TEMPLATES_FILE = Path(__file__).resolve().parent.parent / "data" / "communication_templates.json"
NEXT_UPDATE_AFTER = timedelta(minutes=30)
USED = "This draft was used (published or sent) and no longer changes; draft a new one."


def load_templates(path: Path = TEMPLATES_FILE) -> dict[str, dict[str, str]]:
    return cast(dict[str, dict[str, str]], json.loads(path.read_text())["templates"])


def _at(value: datetime | None) -> str:
    if value is None:
        return "unknown"
    return timezone.localtime(value, organisation_zone()).strftime("%Y-%m-%d %H:%M %Z")


def _functions(incident: Incident) -> str:
    """One line per affected service: its name and what it does for the business."""
    lines = []
    for service in incident.services.order_by("name"):
        what = service.provided_service or service.description.strip().split("\n")[0]
        impact = service.get_business_impact_display().lower()
        lines.append(f"- {service.name}" + (f": {what}" if what else "") + f" ({impact})")
    return "\n".join(lines) or "- [the functions affected]"


def _estimated_resolution(incident: Incident) -> str:
    if incident.restored_at:
        return f"resolved at {_at(incident.restored_at)}"
    targets = [s.rto_target_minutes for s in incident.services.all()]
    if incident.incident_type.expected_rto_minutes:
        targets.append(incident.incident_type.expected_rto_minutes)
    if not targets:
        targets.append(organisation_profile().rto_target_minutes)
    return f"by {_at(incident.onset + timedelta(minutes=min(targets)))} (our recovery target)"


def incident_facts(incident: Incident, now: datetime) -> dict[str, str]:
    """The values a template's placeholders take, in the organisation's time zone."""
    return {
        "title": incident.title,
        "reference": incident.reference,
        "functions": _functions(incident),
        "started": _at(incident.onset),
        "ended": _at(incident.restored_at) if incident.restored_at else "now (still ongoing)",
        "estimated_resolution": _estimated_resolution(incident),
        "next_update": _at(now + NEXT_UPDATE_AFTER),
        "organisation": organisation_profile().name,
        "status": incident.get_status_display(),
    }


@transaction.atomic
def communication_draft_create(
    *, actor: Actor, incident: Incident, kind: str, now: datetime | None = None
) -> CommunicationDraft:
    """Draft a status-page update or customer email from its template and the facts now."""
    require_perm(actor, "incidents.add_communicationdraft")
    templates = load_templates()
    if kind not in CommunicationDraft.Kind.values or kind not in templates:
        raise ValidationError(
            {"kind": f"Choose one of {', '.join(CommunicationDraft.Kind.values)}."}
        )
    facts = incident_facts(incident, now or timezone.now())
    template = templates[kind]
    draft = CommunicationDraft(
        incident=incident,
        kind=kind,
        subject=string.Template(template["subject"]).safe_substitute(facts)[:200],
        body=string.Template(template["body"]).safe_substitute(facts),
        created_by=cast(User, actor),
    )
    return save_audited(draft, actor=actor)


@transaction.atomic
def communication_draft_update(
    *, actor: Actor, draft: CommunicationDraft, subject: str, body: str
) -> CommunicationDraft:
    require_perm(actor, "incidents.change_communicationdraft")
    draft = CommunicationDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.is_used:
        raise ValidationError(USED, code="draft_used")
    if apply_changes(draft, {"subject": subject, "body": body}):
        save_audited(draft, actor=actor)
    return draft


@transaction.atomic
def communication_draft_mark_used(
    *, actor: Actor, draft: CommunicationDraft, now: datetime | None = None
) -> CommunicationDraft:
    """Record that a person published or sent this draft (once), on the timeline too."""
    require_perm(actor, "incidents.change_communicationdraft")
    draft = CommunicationDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.is_used:
        raise ValidationError(USED, code="draft_used")
    draft.used_at = now or timezone.now()
    draft.used_by = cast(User, actor)
    save_audited(draft, actor=actor)
    entry = TimelineEntry(
        incident_id=draft.incident_id,
        at=draft.used_at,
        kind=TimelineEntry.Kind.COMMUNICATION,
        event=f"{draft.get_kind_display()} sent: {draft.subject}"[:500],
        owner=draft.used_by,
        created_by=draft.used_by,
    )
    save_audited(entry, actor=actor)
    return draft
