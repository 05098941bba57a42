"""The machinery behind issue #8, item 9: `submit_once` and constraint refusals as field errors.

`submit_once` writes a key row under a unique (user, key) in the write's own transaction;
PostgreSQL makes a second request with the same key wait for the first on that index, then
refuse it, so the second learns the first's result. A refusal by the database
(IntegrityError) becomes a ValidationError naming the field, for forms, the API and pages.
"""

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from bcp_portal.contacts.models import Contact
from bcp_portal.core.api.errors import exception_handler
from bcp_portal.core.integrity import CONFLICT, as_validation_error
from bcp_portal.core.middleware import ConflictMiddleware
from bcp_portal.core.models import OutboxMessage, SubmissionKey
from bcp_portal.core.submissions import AlreadySubmitted, submission_keys_prune, submit_once
from bcp_portal.core.tasks import submission_keys_prune as prune_task
from drills.models import Drill, DrillType
from tests.drills.factories import DrillScheduleFactory, DrillTypeFactory


def refused(write) -> IntegrityError:
    """The IntegrityError the database raises for `write` (in a savepoint rolled back)."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        write()
    return caught.value


# --- one write per key, even racing ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_second_request_waits_for_the_first_then_gets_its_result(srelead):
    first_wrote, let_first_commit = threading.Event(), threading.Event()
    seen = {}

    def slow_first():
        def work():
            contact = Contact.objects.create(name="First")
            first_wrote.set()
            let_first_commit.wait(timeout=10)
            return contact

        try:
            contact = submit_once(
                user=srelead,
                key="form:k",
                work=work,
                remember=lambda c: {"result_url": c.get_absolute_url()},
            )
            seen["first"] = contact.get_absolute_url()
        finally:
            connection.close()

    def second():
        first_wrote.wait(timeout=10)
        try:
            submit_once(user=srelead, key="form:k", work=lambda: Contact.objects.create(name="2"))
        except AlreadySubmitted as repeat:
            seen["second"] = repeat.record.result_url
        finally:
            connection.close()

    threads = [threading.Thread(target=slow_first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_wrote.wait(timeout=10)
    threads[1].join(timeout=0.5)
    still_waiting = threads[1].is_alive()  # blocked on the key's unique index
    let_first_commit.set()
    for thread in threads:
        thread.join(timeout=10)

    assert still_waiting
    assert seen["second"] == seen["first"]
    assert list(Contact.objects.values_list("name", flat=True)) == ["First"]


@pytest.mark.django_db
def test_a_failed_first_leaves_the_key_free(srelead):
    def fails():
        Contact.objects.create(name="Rolled back")
        raise ValueError("refused")

    with pytest.raises(ValueError):
        submit_once(user=srelead, key="form:k", work=fails)
    submit_once(user=srelead, key="form:k", work=lambda: Contact.objects.create(name="Kept"))

    assert list(Contact.objects.values_list("name", flat=True)) == ["Kept"]
    assert SubmissionKey.objects.get().key == "form:k"


@pytest.mark.django_db
def test_keys_older_than_a_week_are_pruned_by_the_daily_task(srelead):
    now = timezone.now()
    SubmissionKey.objects.create(user=srelead, key="old", created_at=now - dt.timedelta(days=8))
    SubmissionKey.objects.create(user=srelead, key="new", created_at=now - dt.timedelta(days=6))

    assert prune_task() == 1
    assert submission_keys_prune() == 0
    assert list(SubmissionKey.objects.values_list("key", flat=True)) == ["new"]


# --- what the database refuses, named ---------------------------------------------------------


@pytest.mark.django_db
def test_a_unique_field_refused_by_the_database_is_named():
    DrillTypeFactory(key="failover")
    exc = refused(lambda: DrillType.objects.create(key="failover", name="Again"))

    assert as_validation_error(exc).message_dict.keys() == {"key"}


@pytest.mark.django_db
def test_a_unique_pair_refused_by_the_database_names_both_fields():
    schedule = DrillScheduleFactory()
    slot = {"schedule": schedule, "occurrence_date": dt.date(2030, 1, 7)}
    fields = {"drill_type": schedule.drill_type, "title": "x", "planned_duration_minutes": 60}
    starts = timezone.now()
    Drill.objects.create(**slot, **fields, starts_at=starts)
    exc = refused(lambda: Drill.objects.create(**slot, **fields, starts_at=starts))

    assert as_validation_error(exc).message_dict.keys() == {"schedule", "occurrence_date"}


@pytest.mark.django_db
def test_a_check_constraint_is_a_conflict_on_the_whole_form():
    exc = refused(lambda: OutboxMessage.objects.create(dedup_key="k", subject="s", body="b"))

    assert as_validation_error(exc).message_dict == {"__all__": [CONFLICT]}


@pytest.mark.django_db
def test_the_api_answers_a_refused_write_with_400_naming_the_field():
    DrillTypeFactory(key="failover")
    exc = refused(lambda: DrillType.objects.create(key="failover", name="Again"))

    response = exception_handler(exc, {})

    assert response.status_code == 400
    assert response.data["error"]["code"] == "validation_error"
    assert set(response.data["error"]["fields"]) == {"key"}


@pytest.mark.django_db
def test_a_page_answers_a_refused_write_with_400_saying_nothing_was_saved(rf: RequestFactory):
    DrillTypeFactory(key="failover")
    exc = refused(lambda: DrillType.objects.create(key="failover", name="Again"))
    middleware = ConflictMiddleware(lambda request: None)

    page = middleware.process_exception(rf.post("/drills/new/"), exc)
    api = middleware.process_exception(rf.post("/api/v1/drills"), exc)

    assert page.status_code == 400 and "Nothing was saved" in page.content.decode()
    assert api.status_code == 400
    assert b'"fields": {"key"' in api.content or b'"fields":{"key"' in api.content
