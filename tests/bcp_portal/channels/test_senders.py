"""What the webhook and PagerDuty receivers get: the formats, the signature, the keys."""

from __future__ import annotations

import time

import pytest

from bcp_portal.core import outbox
from bcp_portal.core.channels import webhook
from bcp_portal.core.models import NotificationTarget
from bcp_portal.core.outbox import outbox_add
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Kind = NotificationTarget.Kind


def target(name: str, url: str, kind=Kind.SLACK, secret="s3cret") -> NotificationTarget:
    return NotificationTarget.objects.create(name=name, kind=kind, url=url, secret=secret)


def send(channel: str, subject="P0 incident 7: payments down", **kwargs):
    message = outbox_add(
        key=kwargs.pop("key", "incident-7:page:primary"),
        subject=subject,
        body="Payments fail since 09:00.",
        to_user=UserFactory(username="ana"),
        url="/incidents/7/",
        channels=[channel],
        **kwargs,
    )
    assert outbox.deliver(message.pk) == outbox.OutboxMessage.Status.SENT
    return message


def test_slack_gets_text_signed_under_the_targets_secret_with_the_key(slack, settings):
    settings.SITE_URL = "https://bcp.example.org"
    target("ops-chat", slack.url("/services/T1/B2"))
    send("webhook:ops-chat")

    [request] = slack.received
    assert request.path == "/services/T1/B2"
    assert request.json == {
        "text": "*P0 incident 7: payments down*\nPayments fail since 09:00.\n\n"
        "https://bcp.example.org/incidents/7/"
    }
    assert request.headers["Idempotency-Key"] == "incident-7:page:primary"
    assert request.headers["Content-Type"] == "application/json"
    assert webhook.verify(
        "s3cret",
        timestamp=request.headers["X-BCP-Timestamp"],
        signed=request.headers["X-BCP-Signature"],
        body=request.body,
    )


def test_a_signature_fails_under_another_secret_an_edited_body_or_an_old_timestamp(slack):
    target("ops-chat", slack.url())
    send("webhook:ops-chat")
    [request] = slack.received
    stamp, signed = request.headers["X-BCP-Timestamp"], request.headers["X-BCP-Signature"]
    assert signed.startswith("v1=")
    assert not webhook.verify("other", timestamp=stamp, signed=signed, body=request.body)
    assert not webhook.verify("s3cret", timestamp=stamp, signed=signed, body=request.body + b" ")
    later = time.time() + webhook.SIGNATURE_TOLERANCE_SECONDS + 5
    assert not webhook.verify(
        "s3cret", timestamp=stamp, signed=signed, body=request.body, now=later
    )


def test_the_generic_json_form_carries_subject_body_link_key_and_addressee(slack, settings):
    settings.SITE_URL = "https://bcp.example.org/"
    target("monitor", slack.url(), kind=Kind.JSON)
    send("webhook:monitor")
    body = slack.received[0].json
    assert body["subject"] == "P0 incident 7: payments down"
    assert body["url"] == "https://bcp.example.org/incidents/7/"
    assert body["key"] == "incident-7:page:primary"
    assert body["addressee"] == "user ana"


def test_a_key_a_header_cannot_carry_is_sent_as_its_digest(slack):
    target("ops-chat", slack.url())
    send("webhook:ops-chat", key="incident-7:page:Zoë")
    assert len(slack.received[0].headers["Idempotency-Key"]) == 64


def test_pagerduty_gets_a_trigger_with_the_routing_key_and_the_messages_dedup_key(pagerduty):
    target("oncall", pagerduty.url("/v2/enqueue"), kind=Kind.PAGERDUTY, secret="R0UT1NG")
    send("pagerduty:oncall")
    [request] = pagerduty.received
    event = request.json
    assert request.path == "/v2/enqueue"
    assert event["routing_key"] == "R0UT1NG"
    assert event["event_action"] == "trigger"
    assert event["dedup_key"] == "incident-7:page:primary"
    assert event["payload"]["summary"] == "P0 incident 7: payments down"
    assert event["payload"]["severity"] == "critical"
    assert event["payload"]["source"]


@pytest.mark.parametrize(
    ("subject", "severity"),
    [("P1 x", "error"), ("P2 x", "warning"), ("[P3] x", "info"), ("Drill tomorrow", "error")],
)
def test_pagerduty_severity_follows_the_priority_in_the_subject(pagerduty, subject, severity):
    target("oncall", pagerduty.url(), kind=Kind.PAGERDUTY)
    send("pagerduty:oncall", subject=subject)
    assert pagerduty.received[0].json["payload"]["severity"] == severity


@pytest.mark.parametrize("status", [200, 400, 429, 500])
def test_pagerduty_answers_other_than_202_fall_back_to_email(pagerduty, mailoutbox, status):
    pagerduty.status = status
    target("oncall", pagerduty.url(), kind=Kind.PAGERDUTY)
    send("pagerduty:oncall")
    assert len(pagerduty.received) == 1
    assert len(mailoutbox) == 1


def test_a_webhook_target_is_not_reached_through_the_pagerduty_channel(slack, mailoutbox):
    target("ops-chat", slack.url())
    message = send("pagerduty:ops-chat")
    assert slack.received == []
    assert "No notification target named 'ops-chat'" in message.tries.first().error
