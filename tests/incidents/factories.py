"""Incidents for tests: made through the lifecycle service, as the pages make them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from incidents.models import Incident, IncidentType
from incidents.services.lifecycle import incident_declare


def incident_type(key: str = "database-outage") -> IncidentType:
    return IncidentType.objects.get(key=key)


def declare(
    actor,
    *,
    title: str = "Primary database down",
    type_key: str = "database-outage",
    detected_at: datetime | None = None,
    **fields: Any,
) -> Incident:
    return incident_declare(
        actor=actor,
        title=title,
        incident_type=incident_type(type_key),
        detected_at=detected_at or timezone.now(),
        **fields,
    )


def restored(actor, **fields: Any) -> Incident:
    """A declared incident whose service is restored (it takes a post-mortem)."""
    from incidents.services.lifecycle import incident_set_status

    detected = fields.pop("detected_at", None) or timezone.now() - timedelta(hours=3)
    incident = declare(actor, detected_at=detected, **fields)
    return incident_set_status(
        actor=actor, incident=incident, status="restored", at=detected + timedelta(minutes=90)
    )


def postmortem_draft(actor, incident: Incident | None = None, **fields: Any):
    """A draft post-mortem of a restored incident, started by `actor` (an SRE)."""
    from incidents.services import postmortems

    incident = incident or restored(actor)
    postmortem = postmortems.postmortem_start(actor=actor, incident=incident)
    if fields:
        postmortems.postmortem_save(
            actor=actor, postmortem=postmortem, data=postmortems.PostMortemData(fields=fields)
        )
        postmortem.refresh_from_db()
    return postmortem


COMPLETE = {
    "summary": "The primary database stopped; we failed over to the replica.",
    "impact": "Checkout unavailable for 90 minutes.",
    "root_cause": "A full disk on the primary.",
    "contributing_factors": "No alert on disk growth.",
    "went_well": "The failover runbook worked.",
    "to_improve": "Detection took too long.",
}


def postmortem_complete(actor, incident: Incident | None = None, *, actions=()):
    """A draft with every section filled, one lesson and the given action rows."""
    from incidents.services import postmortems

    postmortem = postmortem_draft(actor, incident)
    postmortems.postmortem_save(
        actor=actor,
        postmortem=postmortem,
        data=postmortems.PostMortemData(
            fields=COMPLETE,
            lessons=[{"category": "detection", "text": "Alert on disk growth, not only on full."}],
            actions=list(actions),
        ),
    )
    postmortem.refresh_from_db()
    return postmortem


LEAD_CODE = "51515151"


def lead_signer(username: str = "pm-lead"):
    """An SRE Lead with two-factor and a backup code (LEAD_CODE) to sign with."""
    from bcp_portal.core import roles
    from tests.compliance.factories import signer

    return signer(roles.SRE_LEAD, username=username, codes=(LEAD_CODE,))


def sign(postmortem, lead, *, decision: str = "approve", comment: str = "", code=LEAD_CODE):
    from bcp_portal.core import signing
    from incidents.services import postmortems
    from tests.compliance.factories import PASSWORD

    return postmortems.postmortem_sign(
        actor=lead,
        postmortem=postmortem,
        role="SRE Lead",
        decision=decision,
        comment=comment,
        shown_hash=signing.subject_hash(postmortem),
        password=PASSWORD,
        code=code,
    )


def postmortem_published(actor, incident: Incident | None = None, *, lead=None, actions=()):
    """Written by `actor`, approved by an SRE Lead, published."""
    from incidents.services import postmortems

    postmortem = postmortem_complete(actor, incident, actions=actions)
    postmortems.postmortem_submit(actor=actor, postmortem=postmortem)
    postmortem.refresh_from_db()
    sign(postmortem, lead or lead_signer())
    postmortem.refresh_from_db()
    return postmortems.postmortem_publish(actor=actor, postmortem=postmortem)
