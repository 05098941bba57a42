"""The Celery application: queues, routing, limits and the periodic schedule in one place."""

import os

from celery import Celery
from kombu import Exchange, Queue

from bcp_portal.schedule import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bcp_portal.settings")

QUEUE_DEFAULT = "default"
QUEUE_NOTIFY = "notify"
QUEUE_EXPORTS = "exports"
QUEUES = (QUEUE_DEFAULT, QUEUE_NOTIFY, QUEUE_EXPORTS)

# Redis re-delivers an unacknowledged task after the visibility timeout; every time limit
# stays well below it so that a slow task is killed before a second worker takes it again.
VISIBILITY_TIMEOUT = 60 * 60
TASK_TIME_LIMIT = 15 * 60
TASK_SOFT_TIME_LIMIT = 14 * 60

app = Celery("bcp_portal", task_cls="bcp_portal.core.tasking:AuditedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    broker_url=app.conf.broker_url or "memory://",
    # Each queue has its own exchange and routing key: bare `Queue(name)`s all bind to the
    # "default" exchange with the key "default", and Redis then copies every task into every
    # queue, so a worker consuming all three would run each task three times.
    task_queues=[Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES],
    task_default_queue=QUEUE_DEFAULT,
    task_routes={
        "core.outbox.*": {"queue": QUEUE_NOTIFY},
        "core.exports.*": {"queue": QUEUE_EXPORTS},
    },
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=TASK_TIME_LIMIT,
    task_soft_time_limit=TASK_SOFT_TIME_LIMIT,
    task_ignore_result=True,
    broker_transport_options={
        "visibility_timeout": VISIBILITY_TIMEOUT,
        # A publish from a request must fail fast on a dead broker; the outbox sweep
        # delivers whatever could not be published.
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 0,
    },
    broker_connection_timeout=2,
    broker_connection_retry_on_startup=True,
    task_publish_retry=False,
    # A task running when the broker connection drops cannot be acknowledged and will be
    # delivered again: stop it rather than have two copies run at once.
    worker_cancel_long_running_tasks_on_connection_loss=True,
    worker_hijack_root_logger=False,
    timezone="UTC",
    enable_utc=True,
)
app.autodiscover_tasks()
app.conf.beat_schedule = BEAT_SCHEDULE
