"""Thin Celery wrappers around the shared services: fetch by id, call, return."""

import os
import socket

from celery import shared_task

from bcp_portal.core import outbox, submissions
from bcp_portal.core.models import TaskProgress

SWEEP_BATCH = 200


@shared_task(name="core.outbox.deliver")
def deliver_outbox_message(*, message_id: int) -> str:
    return outbox.deliver(message_id)


@shared_task(name="core.outbox.sweep")
def outbox_sweep() -> int:
    """Deliver every message that is due: never published, retrying, or abandoned.

    Returns how many it handled (sent, or failed again); a message another worker holds is
    skipped by the claim, so overlapping sweeps are harmless.
    """
    handled = 0
    for message_id in outbox.due_message_ids(limit=SWEEP_BATCH):
        if outbox.deliver(message_id) != "skipped":
            handled += 1
    return handled


@shared_task(name="core.submission_keys.prune")
def submission_keys_prune() -> int:
    """Forget one-time form tokens and API idempotency keys older than a week."""
    return submissions.submission_keys_prune()


@shared_task(name="core.diagnostics.whoami")
def diagnostics_whoami(*, progress_id: str) -> dict[str, object]:
    """Record which process ran this task: shows that a worker, not the caller, runs tasks."""
    progress = TaskProgress.objects.get(pk=progress_id)
    identity = {"pid": os.getpid(), "hostname": socket.gethostname()}
    progress.params = {**progress.params, **identity}
    progress.status = TaskProgress.Status.DONE
    progress.percent = 100
    progress.save(update_fields=["params", "status", "percent", "updated_at"])
    return identity


# Tasks defined next to the machinery they drive, imported so the worker registers them.
from bcp_portal.core.exports import render_export  # noqa: E402,F401
