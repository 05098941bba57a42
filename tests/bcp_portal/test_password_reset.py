"""Password reset mail goes through the outbox: retried, never lost, never sent twice."""

import re

import pytest

from bcp_portal.core.models import OutboxMessage
from bcp_portal.core.tasks import outbox_sweep
from tests.factories import UserFactory
from tests.fixtures.worker import wait_until

RESET_URL = "/accounts/password/reset/"
RESET_LINK = re.compile(r"/accounts/password/reset/[\w-]+/[\w-]+/")


def ask_for_reset(client, email: str):
    return client.post(RESET_URL, {"email": email})


def test_a_reset_request_adds_one_outbox_message_with_the_reset_link(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ana@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_reset(client, "ana@example.org")

    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.to_user == user
    assert RESET_LINK.fullmatch(message.url)
    [mail] = mailoutbox
    assert mail.to == ["ana@example.org"]
    assert message.url in mail.body


def test_a_reset_request_for_an_unknown_address_adds_nothing_and_says_the_same(client, db):
    response = ask_for_reset(client, "nobody@example.org")

    assert response.status_code == 302
    assert not OutboxMessage.objects.exists()


def test_a_reset_request_succeeds_when_the_broker_is_down_and_the_sweep_sends_it_later(
    client, db, mailoutbox, unreachable_broker, django_capture_on_commit_callbacks
):
    UserFactory(email="ana@example.org")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = ask_for_reset(client, "ana@example.org")

    assert response.status_code == 302
    assert len(callbacks) == 1  # the publish ran, and failed quietly
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 0)
    assert mailoutbox == []

    assert outbox_sweep() == 1

    assert [mail.to for mail in mailoutbox] == [["ana@example.org"]]


@pytest.mark.worker
def test_a_reset_mail_is_delivered_by_the_worker_over_smtp(
    client, celery_worker_process, smtp_server
):
    UserFactory(email="ana@example.org")

    response = ask_for_reset(client, "ana@example.org")

    assert response.status_code == 302
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "ana@example.org"
    message = OutboxMessage.objects.get()
    body = mail.get_content()
    assert message.url in body
    wait_until(
        lambda: OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).exists(),
        what="the message to be marked sent",
    )
    # The mailed link works: it leads to the form that sets a new password.
    link = RESET_LINK.search(body).group()
    assert client.get(link).url.endswith("/set-password/")
