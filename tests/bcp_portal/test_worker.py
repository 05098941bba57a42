"""A real Celery worker, over Redis, runs the portal's tasks in its own process."""

import os
import re

import pytest

from bcp_portal.core.models import DeliveryAttempt, OutboxMessage, TaskProgress
from bcp_portal.core.outbox import publish_delivery
from bcp_portal.core.tasks import diagnostics_whoami
from tests.factories import OutboxMessageFactory, UserFactory
from tests.fixtures.worker import wait_until

pytestmark = pytest.mark.worker

# The worker logs each task's return value: "Task <name>[<id>] succeeded in 0.01s: 'sent'".
DELIVERY_OUTCOME = re.compile(r"Task core\.outbox\.deliver\[[^\]]+\] succeeded in \S+ '(\w+)'")


def test_a_task_runs_in_the_worker_process_not_in_the_test(celery_worker_process):
    progress = TaskProgress.objects.create(
        kind="diagnostic", title="Who am I?", owner=UserFactory(), params={"asked_by": "test"}
    )

    # No transaction is open (the worker must see the row), so this publishes at once.
    diagnostics_whoami.delay_on_commit(progress_id=str(progress.pk))

    def done():
        progress.refresh_from_db()
        return progress.status == TaskProgress.Status.DONE

    wait_until(done, what="the worker to record its pid")
    assert progress.params["pid"] != os.getpid()
    assert progress.params["asked_by"] == "test"
    assert f"Task {diagnostics_whoami.name}" in celery_worker_process.log_text()


def test_a_delivery_published_twice_is_sent_once(celery_worker_process, smtp_server):
    message = OutboxMessageFactory(to_user=UserFactory(email="twice@example.org"))

    assert publish_delivery(message.pk)
    assert publish_delivery(message.pk)

    def outcomes() -> list[str]:
        return DELIVERY_OUTCOME.findall(celery_worker_process.log_text())

    wait_until(lambda: len(outcomes()) >= 2, what="both delivery tasks to finish")
    assert sorted(outcomes()) == ["sent", "skipped"]
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["To"] == "twice@example.org"
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert DeliveryAttempt.objects.filter(message=message, ok=True).count() == 1
