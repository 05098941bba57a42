"""Escalation of an incident along the communication matrix and the on-call chain.

The lifecycle calls the three entry points inside its transaction; they add outbox rows and
escalation state, never send inline. The per-minute task (`incidents.escalation_advance`)
pages the steps that came due and flags notification deadlines that were missed.

- Communication matrix (`CommunicationRule`, runbook 5.1.1): at declaration, and when the
  severity is raised, every recipient of the severity's row is told at once
  (`incident-notice:<incident>:<severity>:<kind>:<id>` keys); each message is a
  `StakeholderNotice` with its deadline, flagged missed when the message was not delivered
  by then (`OutboxMessage.sent_at`).
- Chain (runbook 5.2.1): the primary on call at once, the secondary 15 minutes after the
  chain started if nobody acknowledged, the executives 30 minutes after it for P0,
  personal-data or high-financial-impact incidents. Executives are the active holders of
  the CTO role *and* the active executive contacts of the directory (a CEO is a contact,
  not a user). Nobody on call in a slot (no rotation, a one-person rotation's secondary):
  the SRE Lead role holders are paged in its place. A raise to a severity that pages
  starts the chain if it had not started; a raise that meets the executive conditions adds
  the executive step (at once if its 30 minutes are already past).
- Each page is an `EscalationPage` with an outbox message of kind `incident_page`, keyed
  `incident-page:<incident>:<step>:<user|contact>:<id>`, so running the task twice pages
  nobody twice. Its acknowledgement link is made by the renderer at delivery, never
  stored (`incidents/acknowledgement.py`). Acknowledging (`incident_acknowledge`) or moving
  the incident to responding stops the chain.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bcp_portal.contacts.models import Contact
from bcp_portal.core.audit import get_system_user
from bcp_portal.core.models import OutboxMessage
from bcp_portal.core.outbox import outbox_add
from bcp_portal.core.people import display_name
from bcp_portal.core.roles import CTO, SRE_LEAD
from bcp_portal.core.services import save_audited
from incidents.models import (
    CommunicationRule,
    Escalation,
    EscalationPage,
    Incident,
    StakeholderNotice,
    TimelineEntry,
)
from incidents.oncall import (
    EXECUTIVE_AFTER,
    SECONDARY_AFTER,
    needs_executive,
    notice_deadline,
)

PAGE_KIND = "incident_page"
DEFAULT_CHANNELS = ["email"]
STEP_OFFSETS = {
    EscalationPage.Step.PRIMARY: timedelta(0),
    EscalationPage.Step.SECONDARY: SECONDARY_AFTER,
    EscalationPage.Step.EXECUTIVE: EXECUTIVE_AFTER,
}


# --- Entry points the lifecycle calls -----------------------------------------------------


def incident_escalation_start(*, incident: Incident) -> None:
    """A declared incident: notify the matrix's recipients now, page the on-call primary.

    An incident recorded after the fact (declared already restored or closed) is history, not
    an emergency: nobody is told or paged for it."""
    if incident.status in (Incident.Status.RESTORED, Incident.Status.CLOSED):
        return
    now = timezone.now()
    rule = _rule(incident.severity)
    notify_matrix(incident=incident, rule=rule, at=now)
    if rule is not None and rule.page_on_call and _unanswered(incident):
        escalation = Escalation(incident=incident, started_at=now)
        save_audited(escalation, actor=None)
        escalation_advance(escalation=escalation, now=now)


def incident_escalation_raise(*, incident: Incident, previous: str) -> None:
    """The severity was raised: tell the new row's recipients, start or extend the chain."""
    now = timezone.now()
    rule = _rule(incident.severity)
    notify_matrix(incident=incident, rule=rule, at=now)
    escalation = Escalation.objects.filter(incident=incident).first()
    if escalation is None:
        if rule is not None and rule.page_on_call and _unanswered(incident):
            escalation = Escalation(incident=incident, started_at=now)
            save_audited(escalation, actor=None)
        else:
            return
    if escalation.stopped_at is None:
        escalation.incident = incident  # the raised severity, not a stale copy
        escalation_advance(escalation=escalation, now=now)


def incident_escalation_stop(*, incident: Incident, reason: str) -> None:
    """Someone acknowledged or the response started: stop paging further steps."""
    escalation = Escalation.objects.select_for_update().filter(incident=incident).first()
    if escalation is None or escalation.stopped_at is not None:
        return
    escalation.stopped_at = timezone.now()
    escalation.stop_reason = reason[:200]
    save_audited(escalation, actor=None)


def _unanswered(incident: Incident) -> bool:
    return incident.acknowledged_at is None and incident.status == Incident.Status.DETECTED


def _rule(severity: str) -> CommunicationRule | None:
    return (
        CommunicationRule.objects.filter(severity=severity)
        .prefetch_related("roles", "users", "contacts")
        .first()
    )


def incident_link(incident: Incident) -> str:
    """The incident's page; its escalation page until the incident pages are merged."""
    try:
        return incident.get_absolute_url()
    except NoReverseMatch:
        return reverse("incidents:incident-escalation", args=[incident.pk])


def _timeline(incident: Incident, kind: str, event: str, at: datetime, action: str = "") -> None:
    """An entry the portal itself writes (the `system` user, as tasks record history)."""
    entry = TimelineEntry(
        incident=incident,
        at=at,
        kind=kind,
        event=event[:500],
        action_taken=action,
        owner_name="BCP Portal",
        created_by=get_system_user(),
    )
    save_audited(entry, actor=None)


# --- The communication matrix ---------------------------------------------------------------


def _matrix_recipients(rule: CommunicationRule) -> list[tuple[str, str, dict[str, Any]]]:
    """(key part, label, outbox addressee) for each recipient of a row."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    for group in rule.roles.all():
        found.append((f"role:{group.pk}", f"{group.name} (role)", {"to_role": group}))
    for user in rule.users.all():
        found.append((f"user:{user.pk}", display_name(user), {"to_user": user}))
    contacts = {c.pk: c for c in rule.contacts.all() if c.is_active}
    if rule.executive_contacts:
        for contact in Contact.objects.filter(kind=Contact.Kind.EXECUTIVE, is_active=True):
            contacts.setdefault(contact.pk, contact)
    for contact in contacts.values():
        found.append((f"contact:{contact.pk}", str(contact), {"to_contact": contact}))
    return found


def notify_matrix(*, incident: Incident, rule: CommunicationRule | None, at: datetime) -> int:
    """Tell the row's recipients now; each message is a notice with its deadline."""
    if rule is None:
        return 0
    due = notice_deadline(at, rule.notify_within_minutes)
    subject = f"[{incident.severity}] {incident.reference}: {incident.title}"
    body = loader.render_to_string(
        "incidents/mail/notice.txt", {"incident": incident, "rule": rule, "due": due}
    )
    added = 0
    for key_part, label, addressee in _matrix_recipients(rule):
        message = outbox_add(
            key=f"incident-notice:{incident.pk}:{rule.severity}:{key_part}",
            subject=subject,
            body=body,
            url=incident_link(incident),
            channels=rule.channels or DEFAULT_CHANNELS,
            **addressee,
        )
        if StakeholderNotice.objects.filter(message=message).exists():
            continue
        notice = StakeholderNotice(
            incident=incident,
            severity=rule.severity,
            recipient_label=label[:200],
            message=message,
            due_at=due,
        )
        save_audited(notice, actor=None)
        added += 1
    return added


def notices_check(*, now: datetime | None = None) -> int:
    """Settle every notice whose deadline passed: delivered in time, or flagged missed
    (with a timeline entry). The `checked_at` marker makes a second run do nothing."""
    now = now or timezone.now()
    missed = 0
    due = (
        StakeholderNotice.objects.filter(checked_at__isnull=True, due_at__lte=now)
        .select_related("message", "incident")
        .order_by("due_at", "pk")
    )
    for notice in due:
        message: OutboxMessage | None = notice.message
        on_time = message is not None and message.sent_at is not None
        on_time = on_time and message is not None and message.sent_at <= notice.due_at  # type: ignore[operator]
        notice.checked_at = now
        notice.missed = not on_time
        with transaction.atomic():
            save_audited(notice, actor=None)
            if notice.missed:
                missed += 1
                _timeline(
                    notice.incident,
                    TimelineEntry.Kind.COMMUNICATION,
                    f"Notification deadline missed: {notice.severity} notice to "
                    f"{notice.recipient_label} not delivered by "
                    f"{timezone.localtime(notice.due_at):%H:%M}",
                    now,
                )
    return missed


# --- The on-call chain ----------------------------------------------------------------------


def _sre_leads() -> list[User]:
    return list(User.objects.filter(groups__name=SRE_LEAD, is_active=True).order_by("pk"))


def _step_recipients(step: str, now: datetime) -> list[User | Contact]:
    from incidents.oncall_selectors import on_call_at

    if step == EscalationPage.Step.EXECUTIVE:
        ctos: list[User | Contact] = list(
            User.objects.filter(groups__name=CTO, is_active=True).order_by("pk")
        )
        return ctos + list(
            Contact.objects.filter(kind=Contact.Kind.EXECUTIVE, is_active=True).order_by("pk")
        )
    who = on_call_at(now)
    person = who.primary if step == EscalationPage.Step.PRIMARY else who.secondary
    if person is not None and person.is_active:
        return [person]
    return list(_sre_leads())


def _due_steps(escalation: Escalation, now: datetime) -> list[str]:
    incident = escalation.incident
    steps = [EscalationPage.Step.PRIMARY, EscalationPage.Step.SECONDARY]
    if needs_executive(
        severity=incident.severity,
        personal_data=incident.involves_personal_data,
        high_financial_impact=incident.high_financial_impact,
    ):
        steps.append(EscalationPage.Step.EXECUTIVE)
    return [s for s in steps if escalation.started_at + STEP_OFFSETS[s] <= now]


def escalation_advance(*, escalation: Escalation, now: datetime | None = None) -> int:
    """Page every step that is due and not paged yet; how many people were paged."""
    now = now or timezone.now()
    if escalation.stopped_at is not None:
        return 0
    incident = escalation.incident
    rule = _rule(incident.severity)
    channels = (rule.channels if rule else None) or DEFAULT_CHANNELS
    paged_steps = set(escalation.pages.values_list("step", flat=True))
    paged = 0
    for step in _due_steps(escalation, now):
        if step in paged_steps:
            continue
        # Who was paged when is the escalation's own record (its pages, on the incident
        # page); the timeline keeps what people did and what changed.
        for person in _step_recipients(step, now):
            paged += _page(escalation, step, person, channels, now)
    return paged


def _page(
    escalation: Escalation, step: str, person: User | Contact, channels: list[str], now: datetime
) -> int:
    incident = escalation.incident
    user = person if isinstance(person, User) else None
    contact = person if isinstance(person, Contact) else None
    who = f"user:{user.pk}" if user else f"contact:{person.pk}"
    label = EscalationPage.Step(step).label
    message = outbox_add(
        key=f"incident-page:{incident.pk}:{step}:{who}",
        kind=PAGE_KIND,
        # What the admin shows: no link (the renderer makes it at delivery).
        subject=f"[{incident.severity}] PAGE {incident.reference}: {incident.title}",
        body=f"{label} page for {incident.reference} (its link is made at delivery).",
        channels=channels,
        to_user=user,
        to_contact=contact,
    )
    if EscalationPage.objects.filter(message=message).exists():
        return 0
    page = EscalationPage(
        escalation=escalation,
        step=step,
        user=user,
        contact=contact,
        paged_at=now,
        message=message,
    )
    save_audited(page, actor=None)
    return 1


def escalations_advance_due(*, now: datetime | None = None) -> int:
    """The per-minute job: advance every live chain, stop those answered another way."""
    now = now or timezone.now()
    paged = 0
    live = list(
        Escalation.objects.filter(stopped_at__isnull=True, started_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    for pk in live:
        with transaction.atomic():
            escalation = (
                Escalation.objects.select_for_update(of=("self",))
                .select_related("incident")
                .filter(pk=pk, stopped_at__isnull=True)
                .first()
            )
            if escalation is None:
                continue
            if not _unanswered(escalation.incident):
                incident_escalation_stop(incident=escalation.incident, reason="answered")
                continue
            paged += escalation_advance(escalation=escalation, now=now)
    return paged
