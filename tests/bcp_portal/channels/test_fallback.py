"""Fallback chains against real loopback receivers: each addressee is served once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from bcp_portal.core import outbox, roles
from bcp_portal.core.models import InboxItem, NotificationPreference, NotificationTarget
from bcp_portal.core.outbox import outbox_add
from bcp_portal.core.tasks import deliver_outbox_message, outbox_sweep
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Status = outbox.OutboxMessage.Status


def target(name: str, url: str, kind=NotificationTarget.Kind.SLACK, **extra) -> NotificationTarget:
    return NotificationTarget.objects.create(
        name=name, kind=kind, url=url, secret=extra.pop("secret", "s3cret"), **extra
    )


def page(key: str = "incident-7:page", **kwargs) -> outbox.OutboxMessage:
    kwargs.setdefault("to_user", UserFactory(username="ana", email="ana@example.org"))
    return outbox_add(key=key, subject="P1 incident 7: payments down", body="Sev 1.", **kwargs)


def test_a_failing_webhook_falls_back_to_email_once(slack, mailoutbox):
    slack.status, slack.answer = 500, b"internal error"
    target("ops-chat", slack.url())
    with time_machine.travel(T0, tick=False):
        message = page(channels=["webhook:ops-chat", "email"])

        assert deliver_outbox_message(message_id=message.pk) == Status.SENT
        # A second delivery run and the sweep find the addressee served: nothing more.
        assert outbox.deliver(message.pk) == "skipped"
        assert outbox_sweep() == 0

    assert len(slack.received) == 1
    assert [mail.to for mail in mailoutbox] == [["ana@example.org"]]
    tries = list(message.tries.values_list("channel", "address", "ok"))
    assert tries == [("webhook:ops-chat", "ops-chat", False), ("email", "ana@example.org", True)]
    assert "HTTP 500: internal error" in message.tries.first().error


def test_a_webhook_that_answers_stops_the_chain_before_email(slack, mailoutbox):
    target("ops-chat", slack.url())
    message = page(channels=["webhook:ops-chat"])
    assert outbox.deliver(message.pk) == Status.SENT
    assert len(slack.received) == 1
    assert mailoutbox == []


def test_when_every_channel_fails_the_message_waits_and_the_retry_serves_it_once(
    slack, mailoutbox, monkeypatch
):
    slack.status = 503
    target("ops-chat", slack.url())

    def refuse(message, address):
        raise OSError("mail server down")

    with time_machine.travel(T0, tick=False) as clock:
        message = page(channels=["webhook:ops-chat", "email"])
        monkeypatch.setitem(outbox.CHANNELS, "email", refuse)
        assert outbox.deliver(message.pk) == Status.PENDING
        message.refresh_from_db()
        assert message.next_attempt_at == T0.replace(minute=1)
        assert "webhook:ops-chat" in message.last_error
        assert "mail server down" in message.last_error

        slack.status = 200
        clock.move_to(message.next_attempt_at)
        assert outbox_sweep() == 1
        assert outbox_sweep() == 0

    assert len(slack.received) == 2
    assert mailoutbox == []
    assert message.tries.filter(ok=True).count() == 1


def test_a_webhook_reaches_a_role_once_and_serves_every_member(slack, mailoutbox):
    UserFactory(username="sre-a", roles=[roles.SRE])
    UserFactory(username="sre-b", roles=[roles.SRE])
    target("ops-chat", slack.url())
    message = outbox_add(
        key="k", subject="s", body="b", to_role=roles.SRE, channels=["webhook:ops-chat"]
    )
    assert outbox.deliver(message.pk) == Status.SENT
    assert len(slack.received) == 1
    assert mailoutbox == []


def test_a_failing_webhook_is_tried_once_per_attempt_then_each_member_is_mailed(slack, mailoutbox):
    UserFactory(username="sre-a", roles=[roles.SRE])
    UserFactory(username="sre-b", roles=[roles.SRE])
    slack.status = 500
    target("ops-chat", slack.url())
    message = outbox_add(
        key="k", subject="s", body="b", to_role=roles.SRE, channels=["webhook:ops-chat"]
    )
    assert outbox.deliver(message.pk) == Status.SENT
    assert len(slack.received) == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["sre-a@example.org", "sre-b@example.org"]


def test_a_disabled_or_unknown_target_falls_back_to_email(slack, mailoutbox):
    target("ops-chat", slack.url(), enabled=False)
    message = page(channels=["webhook:ops-chat", "webhook:nowhere"])
    assert outbox.deliver(message.pk) == Status.SENT
    assert slack.received == []
    assert len(mailoutbox) == 1
    errors = list(message.tries.filter(ok=False).values_list("error", flat=True))
    assert "disabled" in errors[0]
    assert "No notification target named 'nowhere'" in errors[1]


def test_a_redirect_is_not_followed_and_counts_as_a_failure(slack, mailoutbox):
    slack.status, slack.redirect_to = 302, "http://169.254.169.254/latest/meta-data/"
    target("ops-chat", slack.url())
    message = page(channels=["webhook:ops-chat"])
    assert outbox.deliver(message.pk) == Status.SENT
    assert len(slack.received) == 1
    assert "HTTP 302" in message.tries.first().error
    assert len(mailoutbox) == 1


def test_a_huge_answer_is_read_only_up_to_the_limit(slack, mailoutbox):
    slack.status, slack.answer = 500, b"x" * (4 * 1024 * 1024)
    target("ops-chat", slack.url())
    message = page(channels=["webhook:ops-chat"])
    assert outbox.deliver(message.pk) == Status.SENT
    assert len(message.tries.first().error) < 300


# --- Preferences ----------------------------------------------------------------------


def prefer(user, value: str):
    user.profile.notify_channels = value
    user.profile.save()
    return user


def test_a_message_without_channels_follows_the_addressees_preference(mailoutbox):
    inbox_first = prefer(UserFactory(username="inbox", roles=[roles.SRE]), "inapp,email")
    UserFactory(username="mail", roles=[roles.SRE])
    message = outbox_add(key="k", subject="Drill tomorrow", body="b", to_role=roles.SRE, url="/x")

    assert outbox.deliver(message.pk) == Status.SENT

    assert [mail.to for mail in mailoutbox] == [["mail@example.org"]]
    item = InboxItem.objects.get()
    assert (item.user, item.subject, item.url, item.read_at) == (
        inbox_first,
        "Drill tomorrow",
        "/x",
        None,
    )


def test_a_messages_own_channels_win_over_the_preference(mailoutbox):
    user = prefer(UserFactory(username="inbox"), NotificationPreference.INAPP_EMAIL)
    message = page(to_user=user, channels=["email"])
    assert outbox.deliver(message.pk) == Status.SENT
    assert len(mailoutbox) == 1
    assert not InboxItem.objects.exists()


def test_email_is_the_last_resort_of_every_chain():
    message = page(channels=["inapp"])
    assert outbox.chain_for(message, message.to_user) == ["inapp", "email"]
    assert outbox.chain_for(message, None) == ["inapp", "email"]


def test_a_contact_has_no_inbox_and_is_mailed(mailoutbox):
    contact = ContactFactory(email="cfo@example.org")
    message = page(to_user=None, to_contact=contact, channels=["inapp", "email"])
    assert outbox.deliver(message.pk) == Status.SENT
    assert [mail.to for mail in mailoutbox] == [["cfo@example.org"]]


def test_a_message_carrying_a_secret_never_lands_in_an_inbox(mailoutbox, monkeypatch):
    render = lambda m: outbox.RenderedMessage("Your link", "token-abc")  # noqa: E731
    monkeypatch.setitem(outbox._RENDERERS, "test-secret", render)
    user = prefer(UserFactory(username="inbox"), "inapp,email")
    message = outbox_add(
        key="k", subject="A link", body="(made when sent)", to_user=user, kind="test-secret"
    )
    assert outbox.deliver(message.pk) == Status.SENT
    assert not InboxItem.objects.exists()
    assert mailoutbox[0].body == "token-abc"


def test_an_inbox_delivery_retried_after_a_crash_adds_no_second_item():
    user = prefer(UserFactory(username="inbox"), "inapp,email")
    message = page(to_user=user)
    address = outbox.Address("inapp", "inbox", user_id=user.pk)
    outbox.CHANNELS["inapp"](message, address)
    outbox.CHANNELS["inapp"](message, address)
    assert InboxItem.objects.filter(user=user).count() == 1


def test_a_channel_name_nobody_answers_to_is_a_recorded_failure_and_the_chain_goes_on(
    mailoutbox,
):
    message = page(channels=["sms", "webhook", "email"])
    assert outbox.deliver(message.pk) == Status.SENT
    failures = list(message.tries.filter(ok=False).values_list("channel", "error"))
    assert [channel for channel, _ in failures] == ["sms", "webhook"]
    assert "No channel named 'sms'" in failures[0][1]
    assert len(mailoutbox) == 1


def test_an_overlong_channel_name_is_a_recorded_failure_not_a_crash(mailoutbox):
    message = page(channels=["webhook:" + "x" * 300, "y" * 300])
    assert outbox.deliver(message.pk) == Status.SENT
    assert message.tries.filter(ok=False).count() == 2
    assert len(mailoutbox) == 1
