"""The notification outbox: one message per key, delivered once, retried, swept, bounded."""

import smtplib
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.urls import reverse

from bcp_portal.core import outbox, roles
from bcp_portal.core.models import DeliveryAttempt, OutboxMessage
from bcp_portal.core.outbox import outbox_add
from bcp_portal.core.selectors import outbox_panel
from bcp_portal.core.tasks import deliver_outbox_message, outbox_sweep
from tests.conftest import make_persona
from tests.dashboard import dashboard_load
from tests.factories import ContactFactory, OutboxMessageFactory, UserFactory
from tests.fixtures.worker import free_port, wait_until

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Status = OutboxMessage.Status


def add(key: str = "incident-42:opened", **addressee) -> OutboxMessage:
    return outbox_add(key=key, subject="Incident 42 opened", body="Sev 1.", **addressee)


def refuse(message: OutboxMessage, address: outbox.Address) -> None:
    raise smtplib.SMTPRecipientsRefused({address.address: (550, b"No such mailbox")})


def recipients(mailoutbox) -> list[str]:
    return sorted(address for mail in mailoutbox for address in mail.to)


# --- Adding ---------------------------------------------------------------------------


def test_same_key_twice_makes_one_message(db):
    user = UserFactory()
    first = add(to_user=user)
    second = add(to_user=user)
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


def test_a_key_longer_than_the_column_is_found_again_and_kept_apart_from_its_neighbours(db):
    user = UserFactory()
    long_key = "x" * 300
    assert add(long_key, to_user=user).pk == add(long_key, to_user=user).pk
    assert add(long_key + "y", to_user=user).pk != add(long_key, to_user=user).pk
    assert OutboxMessage.objects.count() == 2


def test_a_message_addresses_exactly_one_user_role_or_contact(db):
    with pytest.raises(ValueError, match="exactly one"):
        outbox_add(key="k", subject="s", body="b")
    with pytest.raises(ValueError, match="exactly one"):
        outbox_add(key="k", subject="s", body="b", to_user=UserFactory(), to_role=roles.SRE)


def test_a_message_is_published_once_the_change_commits(db, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        add(to_user=user)
        add(to_user=user)
    assert len(callbacks) == 1


def test_a_rolled_back_change_leaves_no_message(db, django_capture_on_commit_callbacks):
    user = UserFactory()
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        add(to_user=user)
        raise RuntimeError("the change failed")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()


# --- Delivering -----------------------------------------------------------------------


def test_a_message_to_a_user_is_mailed_with_its_link_and_key(db, mailoutbox, settings):
    settings.SITE_URL = "https://bcp.example.org/"
    message = add(to_user=UserFactory(email="ana@example.org"), url="/incidents/42/")

    assert deliver_outbox_message(message_id=message.pk) == Status.SENT

    [mail] = mailoutbox
    assert mail.to == ["ana@example.org"]
    assert "https://bcp.example.org/incidents/42/" in mail.body
    assert mail.extra_headers["X-BCP-Message-Key"] == "incident-42:opened"
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.tries.get().ok


def test_a_role_message_mails_each_active_member_with_an_email(db, mailoutbox):
    UserFactory(username="sre-a", roles=[roles.SRE])
    UserFactory(username="sre-b", roles=[roles.SRE])
    UserFactory(username="sre-gone", roles=[roles.SRE], is_active=False)
    UserFactory(username="sre-nomail", roles=[roles.SRE], email="")
    UserFactory(username="cto", roles=[roles.CTO])
    message = add(to_role=roles.SRE)

    assert outbox.deliver(message.pk) == Status.SENT

    assert [mail.to for mail in mailoutbox] == [["sre-a@example.org"], ["sre-b@example.org"]]
    assert message.tries.filter(ok=True).count() == 2


def test_a_contact_message_mails_the_contact(db, mailoutbox):
    contact = ContactFactory(email="oncall@vendor.example")
    message = add(to_contact=contact)

    assert outbox.deliver(message.pk) == Status.SENT

    assert recipients(mailoutbox) == ["oncall@vendor.example"]


def test_a_message_with_no_address_is_recorded_as_a_failed_attempt(db, mailoutbox):
    message = add(to_contact=ContactFactory(name="No Mail", organisation="", email=""))

    assert outbox.deliver(message.pk) == Status.PENDING

    attempt = message.tries.get()
    assert not attempt.ok
    assert attempt.channel == outbox.NO_ADDRESS_CHANNEL
    assert "No address to deliver to for contact No Mail" in attempt.error
    message.refresh_from_db()
    assert message.last_error == attempt.error
    assert mailoutbox == []


def test_an_empty_role_is_recorded_as_a_failed_attempt(db, mailoutbox):
    message = add(to_role=Group.objects.get(name=roles.AUDITOR))
    assert outbox.deliver(message.pk) == Status.PENDING
    assert "No address" in message.tries.get().error


# --- Retrying -------------------------------------------------------------------------


def test_a_failing_channel_is_recorded_and_retried_after_a_backoff(db, monkeypatch):
    monkeypatch.setitem(outbox.CHANNELS, "email", refuse)
    with time_machine.travel(T0, tick=False) as clock:
        message = OutboxMessageFactory()

        assert outbox.deliver(message.pk) == Status.PENDING
        message.refresh_from_db()
        assert message.attempts == 1
        assert message.next_attempt_at == T0 + timedelta(seconds=outbox.RETRY_BACKOFF_SECONDS[0])
        assert "SMTPRecipientsRefused" in message.last_error
        attempt = message.tries.get()
        assert not attempt.ok
        assert "No such mailbox" in attempt.error

        clock.shift(timedelta(seconds=30))
        assert outbox.deliver(message.pk) == "skipped"
        assert outbox.due_message_ids() == []

        clock.move_to(message.next_attempt_at)
        assert outbox.due_message_ids() == [message.pk]


def test_a_message_fails_for_good_after_the_last_attempt(db, monkeypatch, settings):
    monkeypatch.setitem(outbox.CHANNELS, "email", refuse)
    with time_machine.travel(T0, tick=False) as clock:
        message = OutboxMessageFactory()
        for _ in range(settings.OUTBOX_MAX_ATTEMPTS - 1):
            assert outbox.deliver(message.pk) == Status.PENDING
            message.refresh_from_db()
            clock.move_to(message.next_attempt_at)

        assert outbox.deliver(message.pk) == Status.FAILED

        message.refresh_from_db()
        assert message.attempts == settings.OUTBOX_MAX_ATTEMPTS
        assert "SMTPRecipientsRefused" in message.last_error
        assert message.tries.filter(ok=False).count() == settings.OUTBOX_MAX_ATTEMPTS
        clock.shift(timedelta(days=7))
        assert outbox.due_message_ids() == []


def test_an_operator_can_requeue_a_failed_message(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    message = OutboxMessageFactory(status=Status.FAILED, attempts=5, last_error="refused")

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.requeue(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(mailoutbox) == 1


def test_a_retry_does_not_mail_the_members_who_already_had_the_message(db, monkeypatch, mailoutbox):
    UserFactory(username="reachable", roles=[roles.SRE])
    UserFactory(username="flaky", roles=[roles.SRE])
    failed_once: set[str] = set()

    def flaky_email(message: OutboxMessage, address: outbox.Address) -> None:
        if address.address.startswith("flaky") and not failed_once:
            failed_once.add(address.address)
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        outbox.send_email(message, address)

    monkeypatch.setitem(outbox.CHANNELS, "email", flaky_email)
    with time_machine.travel(T0, tick=False) as clock:
        message = add(to_role=roles.SRE)
        assert outbox.deliver(message.pk) == Status.PENDING
        message.refresh_from_db()
        clock.move_to(message.next_attempt_at)
        assert outbox.deliver(message.pk) == Status.SENT

    assert recipients(mailoutbox) == ["flaky@example.org", "reachable@example.org"]


def test_a_slow_delivery_leaves_the_rest_of_a_role_to_the_next_attempt(
    db, monkeypatch, mailoutbox, settings
):
    # Past the claim lease the sweep may give the message to another worker: a delivery
    # that has used half of it starts no further send, so no address is mailed twice.
    UserFactory(username="first", roles=[roles.SRE])
    UserFactory(username="second", roles=[roles.SRE])
    half_lease = timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS / 2)
    with time_machine.travel(T0, tick=False) as clock:

        def slow_email(message: OutboxMessage, address: outbox.Address) -> None:
            clock.shift(half_lease)
            outbox.send_email(message, address)

        monkeypatch.setitem(outbox.CHANNELS, "email", slow_email)
        message = add(to_role=roles.SRE)
        assert outbox.deliver(message.pk) == Status.PENDING
        assert recipients(mailoutbox) == ["first@example.org"]
        message.refresh_from_db()
        assert "1 address(es) left for the next attempt" in message.last_error

        clock.move_to(message.next_attempt_at)
        assert outbox.deliver(message.pk) == Status.SENT

    assert recipients(mailoutbox) == ["first@example.org", "second@example.org"]


def test_an_unreachable_mail_server_is_recorded_and_retried(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    message = OutboxMessageFactory()

    assert outbox.deliver(message.pk) == Status.PENDING

    assert "ConnectionRefusedError" in message.tries.get().error


def test_a_message_is_mailed_over_smtp(db, settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    message = OutboxMessageFactory(to_user=UserFactory(email="smtp@example.org"))

    assert outbox.deliver(message.pk) == Status.SENT

    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "smtp@example.org"
    assert mail["X-BCP-Message-Key"] == message.dedup_key


# --- Sweeping -------------------------------------------------------------------------


def test_the_sweep_delivers_a_message_that_was_never_published(db, mailoutbox):
    # Inside the test's transaction the on-commit publish never runs: as if the broker
    # had been down when the message was added.
    add(to_user=UserFactory(email="late@example.org"))

    assert outbox_sweep() == 1

    assert recipients(mailoutbox) == ["late@example.org"]
    assert outbox_sweep() == 0


def test_the_sweep_takes_over_a_message_whose_claim_lease_expired(db, mailoutbox, settings):
    lease = timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS)
    with time_machine.travel(T0, tick=False) as clock:
        message = OutboxMessageFactory()
        assert outbox.claim(message.pk) is not None  # a worker took it, then died

        clock.shift(lease - timedelta(seconds=1))
        assert outbox_sweep() == 0
        assert mailoutbox == []

        clock.shift(timedelta(seconds=2))
        assert outbox_sweep() == 1

    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_the_sweep_leaves_messages_that_are_not_due_yet(db, mailoutbox):
    with time_machine.travel(T0, tick=False):
        OutboxMessageFactory(next_attempt_at=T0 + timedelta(minutes=5))
        OutboxMessageFactory(status=Status.SENT)
        OutboxMessageFactory(status=Status.FAILED)
        assert outbox_sweep() == 0
    assert mailoutbox == []


# --- Bounded publish --------------------------------------------------------------------


def test_publish_to_an_unreachable_broker_returns_false_and_logs(unreachable_broker, caplog):
    assert outbox.publish(deliver_outbox_message, message_id=1) is False
    assert "Could not publish core.outbox.deliver" in caplog.text


def test_publish_to_a_live_broker_returns_true(db):
    # Eager here: "published" means handed over, which is all a caller may rely on.
    assert outbox.publish(deliver_outbox_message, message_id=1) is True


def test_delay_on_commit_with_the_broker_down_neither_raises_nor_hangs(
    db, unreachable_broker, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        deliver_outbox_message.delay_on_commit(message_id=1)
    assert len(callbacks) == 1
    assert "Could not publish" in caplog.text


# --- Concurrency (PostgreSQL: real row locks between real connections) -------------------


def run_in_threads(*functions: Callable[[], object]) -> list[object]:
    """Run each function in its own thread and database connection; re-raise any error."""
    results: list[object] = [None] * len(functions)
    errors: list[BaseException] = []

    def run(index: int, function: Callable[[], object]) -> None:
        try:
            results[index] = function()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    if errors:
        raise errors[0]
    return results


def lock_waiters() -> int:
    """Backends of this database blocked on a lock held by another transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_the_same_key_delivered_by_two_concurrent_tasks_is_sent_once(
    transactional_db, monkeypatch, mailoutbox
):
    message = OutboxMessageFactory()
    start = threading.Barrier(2, timeout=10)
    other_gave_up = threading.Event()

    def slow_email(message: OutboxMessage, address: outbox.Address) -> None:
        # Hold the claim until the other delivery has tried to claim the message too.
        other_gave_up.wait(timeout=10)
        outbox.send_email(message, address)

    def deliver() -> str:
        start.wait()
        status = outbox.deliver(message.pk)
        if status == "skipped":
            other_gave_up.set()
        return status

    monkeypatch.setitem(outbox.CHANNELS, "email", slow_email)
    assert sorted(run_in_threads(deliver, deliver)) == ["sent", "skipped"]
    assert DeliveryAttempt.objects.filter(message=message, ok=True).count() == 1
    assert DeliveryAttempt.objects.filter(message=message).count() == 1
    assert len(mailoutbox) == 1


@pytest.mark.postgres
def test_the_same_key_added_by_two_concurrent_transactions_makes_one_message(transactional_db):
    user = UserFactory()
    first_added = threading.Event()
    second_blocked = threading.Event()

    def first() -> int:
        with transaction.atomic():
            message = add(to_user=user)
            first_added.set()
            # Commit only once the second writer waits on our uncommitted key.
            assert second_blocked.wait(timeout=10)
        return message.pk

    def second() -> int:
        assert first_added.wait(timeout=10)
        with transaction.atomic():
            # Our read cannot see the first row yet, so this insert collides with it.
            return add(to_user=user).pk

    def watch() -> None:
        wait_until(lambda: lock_waiters() >= 1, timeout=10, what="the second insert to block")
        second_blocked.set()

    first_pk, second_pk, _ = run_in_threads(first, second, watch)
    assert first_pk == second_pk
    assert OutboxMessage.objects.count() == 1


def test_staff_who_may_read_the_outbox_see_its_panel_with_a_link_to_the_admin(srelead, client_for):
    srelead.is_staff = True
    srelead.save()
    OutboxMessageFactory(to_user=srelead, status=OutboxMessage.Status.FAILED)
    page = dashboard_load(client_for(srelead))
    assert page.status_code == 200
    assert reverse("admin:core_outboxmessage_changelist") in page.html


def test_the_outbox_admin_is_read_only_but_the_sre_lead_may_retry_delivery(
    srelead, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    srelead.is_staff = True
    srelead.save()
    message = OutboxMessageFactory(status=Status.FAILED, attempts=5, last_error="refused")
    client = client_for(srelead)
    change_url = reverse("admin:core_outboxmessage_change", args=[message.pk])

    page = client.get(change_url)
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(
            reverse("admin:core_outboxmessage_changelist"),
            {"action": "retry_now", "_selected_action": [message.pk]},
        )
    deleted = client.post(reverse("admin:core_outboxmessage_delete", args=[message.pk]))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert retried.status_code == 302
    assert deleted.status_code == 403
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(mailoutbox) == 1


# --- The dashboard panel ----------------------------------------------------------------


def test_the_notifications_panel_counts_pending_and_failed_messages_in_one_query(
    db, django_assert_num_queries
):
    lead = make_persona("srelead")
    lead.is_staff = True
    lead.has_perm("core.view_outboxmessage")  # permissions are read once per user
    OutboxMessageFactory.create_batch(3, status=Status.PENDING)
    OutboxMessageFactory(status=Status.FAILED)
    OutboxMessageFactory.create_batch(2, status=Status.SENT)
    with django_assert_num_queries(1):
        panel = outbox_panel(lead)
    assert panel.context["counts"] == {"pending": 3, "failed": 1}


def test_outbox_add_new_adds_only_keys_not_queued_yet_and_counts_them(db):
    from bcp_portal.core.models import OutboxMessage
    from bcp_portal.core.outbox import outbox_add_new
    from tests.factories import UserFactory

    user = UserFactory()
    long_key = "k" * 500  # stored shortened: a second run must still find it
    planned = [
        (key, {"to_user": user, "subject": key[:20], "body": "b"}) for key in ("a", long_key)
    ]
    assert outbox_add_new(planned) == 2
    assert outbox_add_new([*planned, ("b", planned[0][1])]) == 1
    assert OutboxMessage.objects.count() == 3
