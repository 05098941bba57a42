"""Demo: the organisation's legal entities and authorities, and incidents whose notification
clocks show each state the desk has: a running GDPR clock, a provisional one (awareness not
recorded), an overdue one, and a DORA initial notification submitted with the intermediate
report now due from it. Written through the services as the DPO and Legal Counsel would; the
entities' names and the incidents' titles are the markers, so a second run adds nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from bcp_portal.catalogue.models import CompetentAuthority, LegalEntity
from bcp_portal.catalogue.services import competent_authority_create, legal_entity_create
from compliance import notifications
from compliance.deadlines import types
from compliance.models_notifications import IncidentFact, Obligation
from incidents.models import Incident, IncidentType
from incidents.services.lifecycle import incident_declare

ENTITIES: list[dict[str, Any]] = [
    {
        "name": "Acme Payments SAS",
        "registration": "RCS Paris 901 234 567",
        "jurisdictions": ["FR"],
        "statuses": ["gdpr_controller", "dora_financial_entity"],
        "holiday_calendars": ["FR"],
        "time_zone": "Europe/Paris",
    },
    {
        "name": "Acme Holdings Inc.",
        "registration": "Delaware 7712345",
        "jurisdictions": ["US", "US-NY"],
        "statuses": ["sec_registrant"],
        "holiday_calendars": ["US"],
        "time_zone": "America/New_York",
    },
]
AUTHORITIES: list[dict[str, Any]] = [
    {
        "name": "CNIL",
        "jurisdiction": "FR",
        "regimes": ["eu_gdpr_art33_art34"],
        "portal_url": "https://notifications.cnil.fr/notifications/index",
        "phone": "+33 1 53 73 22 22",
        "notes": "Lead supervisory authority for Acme Payments SAS (main establishment).",
    },
    {
        "name": "ACPR",
        "jurisdiction": "FR",
        "regimes": ["eu_dora_major_ict_incident"],
        "email": "dora-incidents@acpr.example",
        "notes": "Competent authority for DORA major ICT-related incident reports.",
    },
    {
        "name": "U.S. Securities and Exchange Commission",
        "jurisdiction": "US",
        "regimes": ["us_sec_form_8k_item_1_05"],
        "portal_url": "https://www.sec.gov/edgar",
        "notes": "Form 8-K Item 1.05, filed through EDGAR.",
    },
    {
        "name": "Information Commissioner's Office",
        "jurisdiction": "GB",
        "regimes": ["uk_gdpr_ico"],
        "portal_url": "https://ico.org.uk/for-organisations/report-a-breach/",
    },
]

RUNNING = "Customer export sent to the wrong partner"
PROVISIONAL = "Suspicious logins to the support mailbox"
OVERDUE = "Marketing list copied from a test database"
SUBMITTED = "Card payments failing across the EU"
DORA = "eu_dora_major_ict_incident"


def _people() -> tuple[Any, Any, Any] | None:
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["dpo", "legal", "srelead"])
    }
    if len(users) < 3:
        return None
    return users["dpo"], users["legal"], users["srelead"]


def _organisation(legal: Any) -> None:
    for fields in ENTITIES:
        if not LegalEntity.objects.filter(name=fields["name"]).exists():
            legal_entity_create(actor=legal, **fields)
    for fields in AUTHORITIES:
        if not CompetentAuthority.objects.filter(
            name=fields["name"], jurisdiction=fields["jurisdiction"]
        ).exists():
            competent_authority_create(actor=legal, **fields)


def _declare(lead: Any, title: str, detected: datetime, **fields: Any) -> Incident | None:
    if Incident.objects.filter(title=title).exists():
        return None
    return incident_declare(
        actor=lead,
        title=title,
        detected_at=detected,
        commander=lead,
        **fields,
    )


def _fact(dpo: Any, incident: Incident, kind: str, **fields: Any) -> None:
    fields.setdefault("time_zone", "Europe/Paris")
    fields.setdefault("reason", "Recorded by the DPO from the incident channel.")
    notifications.fact_record(actor=dpo, incident=incident, kind=kind, **fields)


def _breach(
    dpo: Any, lead: Any, title: str, detected: datetime, *, aware: datetime | None, text: str
) -> Incident | None:
    incident = _declare(
        lead,
        title,
        detected,
        description=text,
        incident_type=IncidentType.objects.get(key="security-incident"),
        severity="P1",
        involves_personal_data=True,
        affected_users=1500,
    )
    if incident is None:
        return None
    if aware is not None:
        _fact(dpo, incident, types.CONTROLLER_AWARENESS, occurred_at=aware)
    _fact(dpo, incident, IncidentFact.PERSONS_AFFECTED, region="FR", count=1200, time_zone="")
    _fact(dpo, incident, IncidentFact.PERSONS_AFFECTED, region="DE", count=300, time_zone="")
    _fact(dpo, incident, IncidentFact.GDPR_RISK, value=types.RISK, time_zone="")
    return incident


def load_demo_notification_clocks(out: Any) -> None:
    people = _people()
    if people is None:
        return
    dpo, legal, lead = people
    _organisation(legal)
    now = timezone.now().replace(microsecond=0)
    made = []
    if _breach(
        dpo,
        lead,
        RUNNING,
        now - timedelta(hours=20),
        aware=now - timedelta(hours=18),
        text="A nightly customer export went to a partner's SFTP account it was not meant for.",
    ):
        made.append("a running GDPR clock")
    if _breach(
        dpo,
        lead,
        PROVISIONAL,
        now - timedelta(hours=6),
        aware=None,
        text="Logins from unknown addresses to the shared support mailbox.",
    ):
        made.append("a provisional GDPR clock (awareness not recorded)")
    if _breach(
        dpo,
        lead,
        OVERDUE,
        now - timedelta(days=4),
        aware=now - timedelta(days=4) + timedelta(hours=2),
        text="A copy of the marketing list was found on a test database open to contractors.",
    ):
        made.append("an overdue GDPR clock")
    incident = _declare(
        lead,
        SUBMITTED,
        now - timedelta(hours=30),
        description="The card acquiring gateway refused every EU payment for five hours.",
        incident_type=IncidentType.objects.get(key="payment-provider-outage"),
        severity="P0",
        affected_users=40000,
        started_at=now - timedelta(hours=30, minutes=10),
    )
    if incident is not None:
        _fact(
            dpo,
            incident,
            types.CLASSIFICATION_MAJOR,
            occurred_at=now - timedelta(hours=29),
            reason="Classified major under the RTS criteria (clients affected, duration).",
        )
        initial = Obligation.objects.get(
            incident=incident, regime_key=DORA, stage_key="initial_notification"
        )
        notifications.submission_record(
            actor=dpo,
            obligation=initial,
            submitted_at=now - timedelta(hours=27),
            recipient="ACPR",
            authority=CompetentAuthority.objects.get(name="ACPR", jurisdiction="FR"),
            reference_number="ACPR-DORA-2026-0142",
            content="Initial notification of a major ICT-related incident (DORA Art. 19).",
        )
        made.append("a DORA initial notification submitted, its intermediate report due")
    if made:
        out.write("Notification clocks: " + "; ".join(made))
