"""Acknowledgement of a page: the signed link its message carries, and the service.

The link is made by the outbox renderer of `incident_page` messages at delivery
(`render_page`), so no row, de-duplication key or admin page holds it: `django.core.signing`
with its own salt, naming the page, valid ACK_LINK_MAX_AGE from delivery (a link opened on a
phone the next morning still works; one found in a mailbox a week later does not).
`incident_acknowledge` records the paged person's acknowledgement and stops the chain.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template import loader
from django.urls import reverse
from django.utils import timezone

from bcp_portal.core.audit import get_system_user
from bcp_portal.core.models import OutboxMessage
from bcp_portal.core.outbox import RenderedMessage
from bcp_portal.core.people import display_name
from bcp_portal.core.services import save_audited
from bcp_portal.core.typehints import Actor
from incidents.escalation import incident_escalation_stop, incident_link
from incidents.models import EscalationPage, Incident, TimelineEntry

ACK_SALT = "incidents.page-ack"
ACK_LINK_MAX_AGE = timedelta(hours=24)


def ack_token(page: EscalationPage) -> str:
    return signing.dumps({"p": page.pk}, salt=ACK_SALT, compress=False)


class AckLinkError(Exception):
    """An acknowledgement link that is expired, tampered with or points at nothing."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


def page_for_token(token: str) -> EscalationPage:
    """The page a link names, or AckLinkError saying why not."""
    try:
        data = signing.loads(token, salt=ACK_SALT, max_age=ACK_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise AckLinkError(
            f"This acknowledgement link has expired (links work for "
            f"{int(ACK_LINK_MAX_AGE.total_seconds() // 3600)} hours). Sign in to the portal "
            "to acknowledge the incident.",
            expired=True,
        ) from exc
    except signing.BadSignature as exc:
        raise AckLinkError("This acknowledgement link is not valid.") from exc
    pk = data.get("p") if isinstance(data, dict) else None
    page = (
        EscalationPage.objects.select_related("escalation__incident", "user", "contact")
        .filter(pk=pk if isinstance(pk, int) else 0)
        .first()
    )
    if page is None:
        raise AckLinkError("This acknowledgement link is not valid.")
    return page


def ack_url(page: EscalationPage) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("incidents:page-ack", args=[ack_token(page)])


def render_page(message: OutboxMessage) -> RenderedMessage:
    """The outbox renderer of pages: the acknowledgement link is made here, at delivery."""
    page = (
        EscalationPage.objects.select_related("escalation__incident", "user", "contact")
        .filter(message=message)
        .first()
    )
    if page is None:
        return RenderedMessage(subject=message.subject, body=message.body)
    incident = page.escalation.incident
    body = loader.render_to_string(
        "incidents/mail/page.txt",
        {
            "page": page,
            "incident": incident,
            "link": ack_url(page),
            "hours": int(ACK_LINK_MAX_AGE.total_seconds() // 3600),
            "site": settings.SITE_URL.rstrip("/"),
            "incident_url": incident_link(incident),
        },
    )
    return RenderedMessage(subject=message.subject, body=body)


@transaction.atomic
def incident_acknowledge(
    *, actor: Actor | None, page: EscalationPage, at: datetime | None = None
) -> EscalationPage:
    """The paged person acknowledges: the page and (if blank) the incident get the time,
    the timeline says who, the chain stops. Acknowledging twice changes nothing.

    `actor` is the paged user (the signed link proves who they are), None for a paged
    contact; anyone else is refused.
    """
    page = (
        EscalationPage.objects.select_for_update(of=("self",))
        .select_related("user", "contact", "escalation")
        .get(pk=page.pk)
    )
    if page.user_id is not None and (actor is None or actor.pk != page.user_id):
        raise PermissionDenied("Only the person paged can acknowledge this page.")
    if page.acknowledged_at is not None:
        return page
    at = at or timezone.now()
    incident = Incident.objects.select_for_update().get(pk=page.escalation.incident_id)
    page.acknowledged_at = at
    save_audited(page, actor=actor)
    who = str(page.contact) if page.contact_id else display_name(page.user)
    if incident.acknowledged_at is None:
        incident.acknowledged_at = max(at, incident.detected_at)
        save_audited(incident, actor=actor)
    entry = TimelineEntry(
        incident=incident,
        at=at,
        kind=TimelineEntry.Kind.ACKNOWLEDGEMENT,
        event=f"Acknowledged by {who}"[:500],
        action_taken=f"through the {page.get_step_display().lower()} page's link",
        owner=page.user,
        owner_name="" if page.user_id else who[:200],
        created_by=page.user or get_system_user(),
    )
    save_audited(entry, actor=actor)
    incident_escalation_stop(incident=incident, reason=f"acknowledged by {who}")
    return page
