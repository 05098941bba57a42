"""The base class of every Celery task, and the one bounded way to publish a task.

A task runs inside a "task" audit context. Publishing never retries and never raises: a
request must not hang or fail because the broker is down (see `bcp_portal.celery` for the
connection timeouts); what was not published is found again by a periodic job, such as the
outbox sweep.
"""

import logging
from functools import partial
from typing import Any

from celery import Task
from django.db import transaction

from bcp_portal.core.audit import Source, audit_context

logger = logging.getLogger(__name__)


def publish(task: Task, **kwargs: Any) -> bool:
    """Send a task to the broker without retrying; False (logged) if the broker is down."""
    try:
        task.apply_async(kwargs=kwargs, retry=False)
    except Exception as exc:  # unreachable or refusing broker: logged, delivered by a sweep
        logger.warning(
            "Could not publish %s(%s): %s: %s", task.name, kwargs, type(exc).__name__, exc
        )
        return False
    return True


class AuditedTask(Task):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        request_id = getattr(self.request, "id", None) or None
        with audit_context(source=Source.TASK, request_id=request_id):
            return super().__call__(*args, **kwargs)

    def delay_on_commit(self, **kwargs: Any) -> None:
        """Publish once the caller's transaction commits, bounded (tasks take keyword ids).

        Celery's own `DjangoTask.delay_on_commit` raises into the request when the broker is
        down; this one logs and returns, so work that must happen needs a periodic job that
        finds it again (as the outbox sweep does).
        """
        transaction.on_commit(partial(publish, self, **kwargs))
