"""Acceptance of paging (issue #10 item 4): frozen time, through the tasks, real PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client

from bcp_portal.core import roles
from bcp_portal.core.models import OutboxMessage
from bcp_portal.core.tasks import outbox_sweep
from incidents.models import EscalationPage, Incident, StakeholderNotice, TimelineEntry
from incidents.services.lifecycle import incident_set_severity, incident_set_status
from incidents.tasks import escalation_advance
from tests.factories import ContactFactory, UserFactory
from tests.incidents.factories import declare
from tests.incidents.oncall_factories import ack_path, mails_to, rotation, sre

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def rota(srelead):
    alice, bob = sre("alice"), sre("bob")
    rotation(srelead, [alice, bob], starts_at=T0 - timedelta(days=1))
    return alice, bob


@pytest.fixture
def cto(db):
    return UserFactory(username="cto", roles=[roles.CTO])


def run_tasks():
    """The per-minute escalation job, then the outbox sweep that delivers."""
    escalation_advance()
    outbox_sweep()


def pages_of(user):
    return [m for m in mails_to(user) if "PAGE" in m.subject]


def test_a_p0_pages_the_primary_at_once_and_tells_the_matrix(clock, rota, sre, cto):
    alice, bob = rota
    ceo = ContactFactory(kind="executive", email="ceo@example.org")
    incident = declare(sre, severity="P0")
    outbox_sweep()

    assert len(pages_of(alice)) == 1
    assert pages_of(bob) == []
    # The matrix's P0 row: the SRE, SRE Lead and CTO roles and the executive contacts.
    assert any(m.to == [cto.email] and "PAGE" not in m.subject for m in mail.outbox)
    assert any(m.to == [ceo.email] for m in mail.outbox)
    page = EscalationPage.objects.get(user=alice)
    assert page.step == EscalationPage.Step.PRIMARY and page.paged_at == T0
    assert incident.notices.count() == 4


def test_the_secondary_is_paged_after_15_minutes_unacknowledged_and_nothing_twice(clock, rota, sre):
    alice, bob = rota
    declare(sre, severity="P0")
    outbox_sweep()
    clock.move_to(T0 + timedelta(minutes=14, seconds=59))
    run_tasks()
    assert pages_of(bob) == []

    clock.move_to(T0 + timedelta(minutes=15))
    run_tasks()
    run_tasks()  # a second run (a slow beat, two workers) sends nothing again
    assert len(pages_of(bob)) == 1
    assert len(pages_of(alice)) == 1
    sent = len(mail.outbox)
    clock.move_to(T0 + timedelta(minutes=16))
    run_tasks()
    assert len(mail.outbox) == sent


def test_acknowledging_through_the_link_stops_the_chain(clock, rota, sre, cto):
    alice, bob = rota
    incident = declare(sre, severity="P0")
    outbox_sweep()
    path = ack_path(pages_of(alice)[0])
    clock.move_to(T0 + timedelta(minutes=4))
    browser = Client(enforce_csrf_checks=True)  # a phone: nobody signed in

    shown = browser.get(path)
    assert shown.status_code == 200
    assert b"Acknowledge INC-" in shown.content
    answered = browser.post(path, {"csrfmiddlewaretoken": shown.cookies["csrftoken"].value})
    assert answered.status_code == 200

    incident.refresh_from_db()
    assert incident.acknowledged_at == T0 + timedelta(minutes=4)
    assert incident.escalation.stopped_at is not None
    entry = incident.timeline.get(kind=TimelineEntry.Kind.ACKNOWLEDGEMENT)
    assert entry.event == "Acknowledged by Alice Doe" and entry.owner == alice
    clock.move_to(T0 + timedelta(minutes=45))
    run_tasks()
    assert pages_of(bob) == []
    assert pages_of(cto) == []


def test_a_get_on_the_link_acknowledges_nothing(clock, rota, sre):
    alice, _ = rota
    incident = declare(sre, severity="P0")
    outbox_sweep()
    path = ack_path(pages_of(alice)[0])

    for _ in range(3):  # a mail scanner, a link preview, the person
        assert Client().get(path).status_code == 200

    incident.refresh_from_db()
    assert incident.acknowledged_at is None
    assert incident.escalation.stopped_at is None
    assert not EscalationPage.objects.filter(acknowledged_at__isnull=False).exists()


def test_an_expired_link_is_refused_and_acknowledges_nothing(clock, rota, sre):
    alice, _ = rota
    incident = declare(sre, severity="P2")
    outbox_sweep()
    path = ack_path(pages_of(alice)[0])
    clock.move_to(T0 + timedelta(hours=24, seconds=1))
    browser = Client()

    refused = browser.get(path)
    assert refused.status_code == 410
    assert b"expired" in refused.content
    assert browser.post(path).status_code == 410
    incident.refresh_from_db()
    assert incident.acknowledged_at is None


def test_a_tampered_link_is_refused(clock, rota, sre):
    alice, _ = rota
    declare(sre, severity="P0")
    outbox_sweep()
    path = ack_path(pages_of(alice)[0])
    token = path.split("/")[-2]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    for bad in (f"/incidents/ack/{forged}/", "/incidents/ack/not-a-token/"):
        answer = Client().post(bad)
        assert answer.status_code == 400
        assert b"not valid" in answer.content
    assert not EscalationPage.objects.filter(acknowledged_at__isnull=False).exists()


def test_the_link_is_made_at_delivery_and_never_stored(clock, rota, sre):
    alice, _ = rota
    declare(sre, severity="P0")
    outbox_sweep()
    token = ack_path(pages_of(alice)[0]).split("/")[-2]
    message = OutboxMessage.objects.get(pk=EscalationPage.objects.get(user=alice).message_id)

    stored = " ".join([message.subject, message.body, message.url, message.dedup_key])
    assert token not in stored
    assert "/incidents/ack/" not in stored
    assert message.kind == "incident_page"


def test_moving_to_responding_stops_the_chain(clock, rota, sre):
    _, bob = rota
    incident = declare(sre, severity="P1")
    clock.move_to(T0 + timedelta(minutes=5))
    incident_set_status(actor=sre, incident=incident, status=Incident.Status.RESPONDING)
    clock.move_to(T0 + timedelta(minutes=20))
    run_tasks()
    assert pages_of(bob) == []


def test_raising_a_p2_to_p0_tells_the_p0_recipients_and_adds_the_executive_step(
    clock, rota, sre, cto
):
    incident = declare(sre, severity="P2")
    outbox_sweep()
    assert mails_to(cto) == []  # P2: the SRE and Engineering Manager roles only

    clock.move_to(T0 + timedelta(minutes=40))
    incident_set_severity(actor=sre, incident=incident, severity="P0")
    outbox_sweep()

    assert len([m for m in mails_to(cto) if "PAGE" not in m.subject]) == 1
    # The chain started at declaration: 30 minutes are past, so the executives at once.
    assert len(pages_of(cto)) == 1
    assert incident.notices.filter(severity="P0").exists()


def test_the_executive_step_waits_30_minutes_and_needs_one_of_the_three_conditions(
    clock, rota, sre, cto
):
    personal = declare(sre, severity="P2", involves_personal_data=True)
    plain = declare(sre, severity="P2", title="Slow reports")
    clock.move_to(T0 + timedelta(minutes=29))
    run_tasks()
    assert pages_of(cto) == []
    clock.move_to(T0 + timedelta(minutes=30))
    run_tasks()
    executive = EscalationPage.objects.filter(step=EscalationPage.Step.EXECUTIVE)
    assert list(executive.values_list("escalation__incident", flat=True)) == [personal.pk]
    assert plain.escalation.pages.filter(step="executive").count() == 0
    assert len(pages_of(cto)) == 1


def test_a_notice_not_delivered_by_its_deadline_is_flagged_missed_once(clock, rota, sre):
    incident = declare(sre, severity="P1")
    # Nothing delivers (the worker is down) until after the 15 minutes.
    clock.move_to(T0 + timedelta(minutes=15, seconds=1))
    escalation_advance()
    escalation_advance()

    notices = StakeholderNotice.objects.filter(incident=incident, severity="P1")
    assert notices.count() == 3 and all(n.missed for n in notices)
    entries = incident.timeline.filter(event__startswith="Notification deadline missed")
    assert entries.count() == 3


def test_a_notice_delivered_in_time_is_not_flagged(clock, rota, sre):
    UserFactory(username="manager", roles=[roles.ENGINEERING_MANAGER])
    incident = declare(sre, severity="P1")
    outbox_sweep()
    clock.move_to(T0 + timedelta(hours=1))
    escalation_advance()
    notices = StakeholderNotice.objects.filter(incident=incident)
    assert notices.count() == 3
    assert all(n.checked_at is not None and not n.missed for n in notices)


def test_a_p3_tells_the_matrix_but_pages_nobody(clock, rota, sre):
    alice, _ = rota
    incident = declare(sre, severity="P3")
    outbox_sweep()
    assert pages_of(alice) == []
    assert not hasattr(incident, "escalation") or incident.escalation is None


def test_a_role_with_nobody_to_reach_makes_its_notice_missed(clock, rota, sre):
    incident = declare(sre, severity="P1")  # nobody holds the Engineering Manager role
    outbox_sweep()
    clock.move_to(T0 + timedelta(hours=1))
    escalation_advance()
    missed = StakeholderNotice.objects.filter(incident=incident, missed=True)
    assert list(missed.values_list("recipient_label", flat=True)) == ["Engineering Manager (role)"]


def test_the_link_works_in_a_browser_signed_in_without_two_factor_but_keeps_csrf(clock, rota, sre):
    alice, _ = rota
    incident = declare(sre, severity="P0")
    outbox_sweep()
    path = ack_path(pages_of(alice)[0])
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)  # signed in, second factor not passed this session

    assert browser.post(path).status_code == 403  # no CSRF token: refused, nothing done
    incident.refresh_from_db()
    assert incident.acknowledged_at is None
    shown = browser.get(path)
    answered = browser.post(path, {"csrfmiddlewaretoken": shown.cookies["csrftoken"].value})
    assert answered.status_code == 200
    incident.refresh_from_db()
    assert incident.acknowledged_at == T0


def test_a_contact_paged_as_executive_acknowledges_in_their_own_name(clock, rota, sre):
    ceo = ContactFactory(
        name="Morgan Blake", organisation="", kind="executive", email="ceo@example.org"
    )
    incident = declare(sre, severity="P0")
    clock.move_to(T0 + timedelta(minutes=30))
    run_tasks()
    page = EscalationPage.objects.get(contact=ceo)
    mail_to_ceo = [m for m in mail.outbox if m.to == [ceo.email] and "PAGE" in m.subject]
    Client().post(ack_path(mail_to_ceo[0]))

    page.refresh_from_db()
    assert page.acknowledged_at == T0 + timedelta(minutes=30)
    entry = incident.timeline.get(kind=TimelineEntry.Kind.ACKNOWLEDGEMENT)
    assert entry.event == "Acknowledged by Morgan Blake" and entry.owner is None


def test_an_incident_recorded_after_the_fact_tells_and_pages_nobody(clock, rota):
    from incidents.models import Escalation

    writer = sre("writer")
    detected = T0 - timedelta(days=3)
    incident = declare(
        writer, severity="P0", detected_at=detected, restored_at=detected + timedelta(hours=1)
    )
    assert incident.status == "restored"
    assert not StakeholderNotice.objects.filter(incident=incident).exists()
    assert not Escalation.objects.filter(incident=incident).exists()
    assert not OutboxMessage.objects.filter(dedup_key__startswith="incident-").exists()
    # The same incident declared live pages at once: the rule above is what kept it quiet.
    declare(writer, severity="P0")
    assert OutboxMessage.objects.filter(dedup_key__startswith="incident-page:").exists()
