"""The Celery configuration: queues, routes, acknowledgement, limits and the schedule."""

import pytest
from kombu import Connection

from bcp_portal import celery as celery_config
from bcp_portal.celery import app
from bcp_portal.core.tasking import AuditedTask
from bcp_portal.schedule import BEAT_SCHEDULE


@pytest.fixture(scope="module")
def registered_tasks() -> dict:
    """Every task of every installed app, as a worker would register them."""
    app.autodiscover_tasks(force=True)
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def queue_for(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_the_app_declares_the_default_notify_and_reports_queues():
    assert set(app.amqp.queues) == {"default", "notify", "exports"}
    assert app.conf.task_default_queue == "default"


def test_outbox_tasks_are_routed_to_the_notify_queue():
    assert queue_for("core.outbox.deliver") == "notify"
    assert queue_for("core.outbox.sweep") == "notify"


def test_export_tasks_go_to_exports_and_other_tasks_to_default():
    assert queue_for("core.exports.render") == "exports"
    assert queue_for("core.diagnostics.whoami") == "default"


def test_a_task_published_to_one_queue_lands_in_that_queue_only():
    # kombu's in-memory transport routes like Redis does (a virtual direct exchange).
    with Connection("memory://") as conn:
        channel = conn.channel()
        queues = {name: queue.bind(channel) for name, queue in app.amqp.queues.items()}
        for queue in queues.values():
            queue.declare()
        target = app.amqp.router.route({}, "core.outbox.deliver")["queue"]
        conn.Producer(channel).publish(
            {"task": "test"}, exchange=target.exchange, routing_key=target.routing_key
        )
        counts = {name: q.queue_declare(passive=True).message_count for name, q in queues.items()}
    assert counts == {"default": 0, "notify": 1, "exports": 0}


def test_tasks_are_acknowledged_late_and_requeued_when_the_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_time_limits_stay_below_the_redis_visibility_timeout():
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility == celery_config.VISIBILITY_TIMEOUT
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit < visibility


def test_publishing_never_retries_and_gives_up_on_a_dead_broker_quickly():
    options = app.conf.broker_transport_options
    assert app.conf.task_publish_retry is False
    assert options["max_retries"] == 0
    assert options["socket_connect_timeout"] <= 2
    assert options["socket_timeout"] <= 5
    assert app.conf.broker_connection_timeout <= 2


def test_the_beat_schedule_runs_the_outbox_sweep_every_minute():
    assert app.conf.beat_schedule is BEAT_SCHEDULE
    sweeps = [e for e in BEAT_SCHEDULE.values() if e["task"] == "core.outbox.sweep"]
    assert len(sweeps) == 1
    assert sweeps[0]["schedule"] <= 60


def test_every_scheduled_task_is_a_registered_task(registered_tasks):
    unknown = {
        entry_name: entry["task"]
        for entry_name, entry in BEAT_SCHEDULE.items()
        if entry["task"] not in registered_tasks
    }
    assert unknown == {}


def test_every_task_runs_in_an_audit_context(registered_tasks):
    plain = [name for name, task in registered_tasks.items() if not isinstance(task, AuditedTask)]
    assert plain == []
