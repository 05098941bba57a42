"""Password reset mail goes through the outbox: retried, never lost, never sent twice, and
its link is made when the mail is sent, so no row a staff member can read holds it
(issue #8, item 1)."""

import importlib
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.forms.models import model_to_dict
from django.urls import reverse

from bcp_portal.core.models import AccountEvent, DeliveryAttempt, OutboxMessage
from bcp_portal.core.tasks import outbox_sweep
from tests.factories import OutboxMessageFactory, UserFactory
from tests.fixtures.worker import wait_until

RESET_URL = "/accounts/password/reset/"
RESET_LINK = re.compile(r"/accounts/password/reset/(?P<uidb64>[\w-]+)/(?P<token>[\w-]+)/")


def ask_for_reset(client, email: str):
    return client.post(RESET_URL, {"email": email})


def every_stored_value(*rows) -> str:
    """Every column of `rows`, as one text to search."""
    return "\n".join(
        repr({field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields})
        for row in rows
    )


def test_a_reset_request_adds_one_outbox_message_and_the_mail_carries_the_link(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ana@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_reset(client, "ana@example.org")

    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.to_user == user
    [mail] = mailoutbox
    assert mail.to == ["ana@example.org"]
    assert RESET_LINK.search(mail.body)


def test_no_outbox_column_nor_delivery_attempt_holds_the_reset_link_or_its_token(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="ana@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        ask_for_reset(client, "ana@example.org")

    [mail] = mailoutbox
    link = RESET_LINK.search(mail.body)
    message = OutboxMessage.objects.get()
    stored = every_stored_value(
        message, *DeliveryAttempt.objects.filter(message=message), *AccountEvent.objects.all()
    )
    assert message.tries.exists()
    assert link["token"] not in stored
    assert link.group() not in stored
    assert f"{link['uidb64']}/{link['token']}" not in stored
    assert message.url == ""


def test_a_reset_request_is_recorded_without_its_secret(client, db):
    user = UserFactory(email="ana@example.org")

    ask_for_reset(client, "ana@example.org")

    event = AccountEvent.objects.get(user=user)
    assert event.kind == AccountEvent.Kind.PASSWORD_RESET_REQUESTED
    assert event.actor is None


def test_an_account_deactivated_before_the_mail_goes_out_gets_no_link(client, db, mailoutbox):
    user = UserFactory(email="ana@example.org")
    ask_for_reset(client, "ana@example.org")  # queued, not delivered yet (no commit here)
    user.is_active = False
    user.save()

    outbox_sweep()

    [mail] = mailoutbox
    assert not RESET_LINK.search(mail.body)
    assert "deactivated" in mail.body


def test_a_reset_request_for_an_unknown_address_adds_nothing_and_says_the_same(client, db):
    response = ask_for_reset(client, "nobody@example.org")

    assert response.status_code == 302
    assert not OutboxMessage.objects.exists()
    assert not AccountEvent.objects.exists()


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
    assert RESET_LINK.search(mailoutbox[0].body)


def test_the_outbox_admin_shows_a_reset_message_without_its_link_and_saves_nothing(
    client, client_for, db, django_capture_on_commit_callbacks, mailoutbox
):
    UserFactory(email="ana@example.org")
    root = UserFactory(is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_reset(client, "ana@example.org")
    link = RESET_LINK.search(mailoutbox[0].body)
    message = OutboxMessage.objects.get()
    admin = client_for(root)
    change_url = reverse("admin:core_outboxmessage_change", args=[message.pk])

    page = admin.get(change_url)
    changelist = admin.get(reverse("admin:core_outboxmessage_changelist"))
    fields = {
        name: "" if value is None else value for name, value in model_to_dict(message).items()
    }
    post = admin.post(change_url, {**fields, "url": "/evil/", "_save": "Save"})

    assert page.status_code == 200
    assert link["token"] not in page.content.decode()
    assert link["token"] not in changelist.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert post.status_code == 403
    message.refresh_from_db()
    assert message.url == ""


@pytest.mark.worker
def test_the_worker_mails_a_working_reset_link_that_no_stored_row_holds(
    client, celery_worker_process, smtp_server
):
    user = UserFactory(email="ana@example.org")

    response = ask_for_reset(client, "ana@example.org")

    assert response.status_code == 302
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "ana@example.org"
    wait_until(
        lambda: OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).exists(),
        what="the message to be marked sent",
    )
    link = RESET_LINK.search(mail.get_content())
    message = OutboxMessage.objects.get()
    stored = every_stored_value(message, *DeliveryAttempt.objects.filter(message=message))
    assert link["token"] not in stored and link.group() not in stored
    # The mailed link works: it leads to the form that sets a new password, which sets it.
    form_url = client.get(link.group()).url
    assert form_url.endswith("/set-password/")
    done = client.post(
        form_url,
        {"new_password1": "a new long passphrase", "new_password2": "a new long passphrase"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a new long passphrase")


def test_the_migration_removes_the_link_and_token_from_reset_messages_queued_before_it(db):
    user = UserFactory()
    legacy = OutboxMessageFactory(
        to_user=user,
        dedup_key=f"password-reset:{user.pk}:d1t4fh-0123456789abcdef",
        url="/accounts/password/reset/MQ/d1t4fh-0123456789abcdef/",
    )
    other = OutboxMessageFactory(to_user=user, url="/drills/1/")
    migration = importlib.import_module("bcp_portal.core.migrations.0005_outbox_kind")

    # The schema editor only lends the migration its connection.
    migration.scrub_reset_links(apps, SimpleNamespace(connection=connection))

    legacy.refresh_from_db()
    other.refresh_from_db()
    assert "0123456789abcdef" not in every_stored_value(legacy)
    assert (legacy.kind, legacy.url) == ("password_reset", "")
    assert (other.kind, other.url) == ("", "/drills/1/")
