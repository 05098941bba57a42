"""The demo runbook: two published versions and a change waiting for approval.

Called by the demo command (bcp_portal.demo) with the demo users' passwords. Everything goes
through the services as the demo people would do it, signatures included: each signer
re-authenticates with their password and a one-time code computed from their own
authenticator device (as their app would show it). Idempotent: once the document exists,
nothing is added.

  v1  imported by the SRE Lead, approved by the Engineering Manager and the DPO, published;
  v2  a procedure update by the SRE, approved by the same two, published (v1 superseded);
  v3  a contact update by the SRE, in review, waiting for the SRE Lead.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bcp_portal.core import signing
from compliance import services
from compliance.models import ChangeType, RunbookDocument, RunbookVersion

DOC_ID = "DR-NW-2026-001"
RUNBOOK_FILE = Path(__file__).parent / "data" / "demo_runbook.md"

V2_OLD = """3. Re-enable the payment gateway toggle in the admin.
"""
V2_NEW = """3. Re-enable the payment gateway toggle in the admin.
4. Place one order with the internal test card and refund it: the payment gateway and the
   refund path both work again.
"""
CONTACT_OLD = "| Database owner | Priya Natarajan | +44 20 7946 0144 | @priya |"
CONTACT_NEW = "| Database owner | Tomás Okafor | +44 20 7946 0177 | @tomas |"


def next_code(device: TOTPDevice) -> str:
    """The code the person's app shows for the first time step this device still accepts
    (after its last used one; within its tolerance of now, so it verifies)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    step = max(totp.t(), device.last_t + 1)
    totp.time += (step - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"


def _sign(user, password: str, version: RunbookVersion, role: str) -> None:
    change = version.change
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    services.change_sign(
        actor=user,
        change=change,
        role=role,
        decision="approve",
        comment="",
        shown_hash=signing.subject_hash(change),
        password=password,
        code=next_code(device),
    )


def load_demo_runbook(out, *, passwords: dict[str, str]) -> None:
    if RunbookDocument.objects.filter(doc_id=DOC_ID).exists():
        return
    users = {u.username: u for u in get_user_model().objects.filter(username__in=passwords)}
    lead, sre, manager, dpo = users["srelead"], users["sre"], users["engmgr"], users["dpo"]

    def approve_and_publish(version: RunbookVersion) -> RunbookVersion:
        version.refresh_from_db()
        _sign(manager, passwords["engmgr"], version, "Engineering Manager")
        _sign(dpo, passwords["dpo"], version, "DPO")
        version.refresh_from_db()
        return services.version_publish(actor=lead, version=version)

    text = RUNBOOK_FILE.read_text(encoding="utf-8")
    v1 = services.document_import(
        actor=lead,
        text=text,
        doc_id=DOC_ID,
        change_type=ChangeType.PROCEDURE_UPDATE,
        reason="First version of the order platform runbook under document control.",
    )
    services.change_submit(actor=lead, change=v1.change)
    approve_and_publish(v1)

    v2 = services.change_open(
        actor=sre,
        document=v1.document,
        change_type=ChangeType.PROCEDURE_UPDATE,
        reason="The March drill showed refunds were not checked after a shop rollback.",
    )
    services.version_content_replace(
        actor=sre, version=v2, content=v2.content.replace(V2_OLD, V2_NEW)
    )
    services.change_submit(actor=sre, change=v2.change)
    approve_and_publish(v2)

    v3 = services.change_open(
        actor=sre,
        document=v1.document,
        change_type=ChangeType.CONTACT_UPDATE,
        reason="Priya moved to the data team; Tomás now owns the orders database.",
    )
    services.version_content_replace(
        actor=sre, version=v3, content=v3.content.replace(CONTACT_OLD, CONTACT_NEW)
    )
    services.change_submit(actor=sre, change=v3.change)
    out.write(
        f"Demo runbook {DOC_ID}: {v1.label} and {v2.label} published, {v3.label} waiting for "
        "the SRE Lead"
    )
