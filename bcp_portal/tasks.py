"""Thin Celery wrappers around the shared services: fetch by id, call, return."""

from celery import shared_task

from bcp_portal import outbox

SWEEP_BATCH = 200


@shared_task(name="bcp_portal.outbox.deliver")
def deliver_outbox_message(*, message_id: int) -> str:
    return outbox.deliver(message_id)


@shared_task(name="bcp_portal.outbox.sweep")
def outbox_sweep() -> int:
    """Deliver every message that is due: never published, retrying, or abandoned."""
    delivered = 0
    for message_id in outbox.due_message_ids(limit=SWEEP_BATCH):
        if outbox.deliver(message_id) != "skipped":
            delivered += 1
    return delivered


# Tasks defined next to the machinery they drive, imported so the worker registers them.
from bcp_portal.reports import *  # noqa: E402,F403
