"""Demo post-mortems: one published (with action items and lessons, signed by the SRE Lead
with their own password and authenticator code), one draft, and a status-page draft.

Called by the demo command (bcp_portal.demo) with the demo users' passwords. Idempotent:
the demo incidents are found by title, and nothing is made twice.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bcp_portal.catalogue.models import Service
from bcp_portal.core import signing
from incidents.models import Incident, IncidentType
from incidents.services import communications, lifecycle, postmortems

PUBLISHED_TITLE = "Primary database failover after a full disk (demo)"
DRAFT_TITLE = "Payment provider timeouts at checkout (demo)"


def _next_code(device: TOTPDevice) -> str:
    """The code the person's app shows for the first time step the device still accepts."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    step = max(totp.t(), device.last_t + 1)
    totp.time += (step - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"


def _incident(sre, title: str, type_key: str, severity: str, days_ago: int) -> Incident:
    detected = timezone.now() - timedelta(days=days_ago)
    services = list(Service.objects.order_by("recovery_priority", "name")[:2])
    incident = lifecycle.incident_declare(
        actor=sre,
        title=title,
        incident_type=IncidentType.objects.get(key=type_key),
        severity=severity,
        detected_at=detected,
        started_at=detected - timedelta(minutes=12),
        services=services,
        commander=sre,
    )
    lifecycle.timeline_add(
        actor=sre,
        incident=incident,
        at=detected + timedelta(minutes=4),
        event="On-call engineer confirms the alert",
        action_taken="Opened the incident channel and paged the database owner.",
        owner=sre,
    )
    lifecycle.incident_set_status(
        actor=sre, incident=incident, status="responding", at=detected + timedelta(minutes=6)
    )
    return lifecycle.incident_set_status(
        actor=sre, incident=incident, status="restored", at=detected + timedelta(minutes=75)
    )


def load_demo_postmortems(out, *, passwords: dict[str, str]) -> None:
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["sre", "srelead"])
    }
    sre, lead = users.get("sre"), users.get("srelead")
    if sre is None or lead is None or not IncidentType.objects.exists():
        return
    if not Incident.objects.filter(title=PUBLISHED_TITLE).exists():
        incident = _incident(sre, PUBLISHED_TITLE, "database-outage", "P1", days_ago=40)
        postmortem = postmortems.postmortem_start(actor=sre, incident=incident)
        postmortems.postmortem_save(
            actor=sre,
            postmortem=postmortem,
            data=postmortems.PostMortemData(
                fields={
                    "summary": "The primary database stopped accepting writes when its data "
                    "disk filled; we promoted the replica and service came back in 75 minutes.",
                    "impact": "Sign-in and checkout failed for about an hour; 1,240 users saw "
                    "errors and 310 orders had to be retried.",
                    "root_cause": "WAL files piled up on the primary after the archive job "
                    "failed silently for two days.",
                    "contributing_factors": "No alert on the archive job; disk alerts fired "
                    "only at 95 %.",
                    "went_well": "The failover runbook (4.1.1) worked as written.",
                    "to_improve": "Detection: we learnt of it from customers first.",
                },
                lessons=[
                    {"category": "detection", "text": "Alert on WAL archive failures."},
                    {"category": "tooling", "text": "Disk alerts at 80 % with a growth rate."},
                    {"category": "communication", "text": "Post the first status update sooner."},
                ],
                actions=[
                    {
                        "title": "Alert when WAL archiving fails",
                        "owner": sre,
                        "due_date": timezone.localdate() + timedelta(days=14),
                    },
                    {
                        "title": "Lower the disk alert threshold to 80 %",
                        "owner": lead,
                        "due_date": timezone.localdate() + timedelta(days=30),
                    },
                ],
            ),
        )
        postmortems.postmortem_submit(actor=sre, postmortem=postmortem)
        postmortem.refresh_from_db()
        device = TOTPDevice.objects.filter(user=lead, confirmed=True).first()
        if device is not None and passwords.get("srelead"):
            postmortems.postmortem_sign(
                actor=lead,
                postmortem=postmortem,
                role="SRE Lead",
                decision="approve",
                shown_hash=signing.subject_hash(postmortem),
                password=passwords["srelead"],
                code=_next_code(device),
            )
            postmortem.refresh_from_db()
            postmortems.postmortem_publish(actor=sre, postmortem=postmortem)
        out.write("Incidents: a published post-mortem with actions and lessons")
    if not Incident.objects.filter(title=DRAFT_TITLE).exists():
        incident = _incident(sre, DRAFT_TITLE, "payment-provider-outage", "P0", days_ago=3)
        postmortem = postmortems.postmortem_start(actor=sre, incident=incident)
        postmortems.postmortem_save(
            actor=sre,
            postmortem=postmortem,
            data=postmortems.PostMortemData(
                fields={"summary": "The payment provider timed out; we switched to the backup."}
            ),
        )
        communications.communication_draft_create(actor=sre, incident=incident, kind="status_page")
        out.write("Incidents: a draft post-mortem and a status-page draft")
