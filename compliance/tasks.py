"""Tasks of the compliance app: thin adapters over the services, scheduled in
bcp_portal/schedule.py."""

from celery import shared_task

from compliance import breakglass, notification_reminders, notifications, reminders
from incidents.models import Incident


@shared_task(
    name="compliance.break_glass_write",
    autoretry_for=(breakglass.BreakGlassWriteError,),
    # Five retries after the first attempt (MAX_ATTEMPTS in all), 30 s, 1, 2, 4, 8 min
    # apart (with jitter); then the SRE Lead is alerted and the sweep keeps trying.
    max_retries=breakglass.MAX_ATTEMPTS - 1,
    retry_backoff=30,
    retry_backoff_max=10 * 60,
    retry_jitter=True,
)
def break_glass_write(*, version_id: int) -> int:
    """Write a published version's break-glass copies (idempotent: written ones are kept)."""
    return len(breakglass.copies_write(version_id=version_id))


@shared_task(name="compliance.break_glass_sweep")
def break_glass_sweep() -> int:
    """Every ten minutes: copies still pending or failed a few minutes after publishing."""
    return len(breakglass.copies_sweep())


@shared_task(name="compliance.approval_reminders")
def approval_reminders() -> int:
    """Hourly: remind each role a change in review has waited for too long (once per interval)."""
    return reminders.approval_reminders_send()


@shared_task(name="compliance.review_reminders")
def review_reminders() -> int:
    """Daily: remind owners of runbooks whose review is due (weekly while overdue)."""
    return reminders.review_reminders_send()


@shared_task(
    name="compliance.break_glass_directory_write",
    autoretry_for=(Exception,),  # a folder or S3 failure of any kind
    max_retries=5,
    retry_backoff=30,
    retry_backoff_max=10 * 60,
    retry_jitter=True,
)
def break_glass_directory_write() -> int:
    """After a contact or on-call change, and daily: the directory and rota beside the
    runbooks' break-glass copies (compliance/breakglass_directory.py)."""
    from compliance.breakglass_directory import directory_write

    return len(directory_write())


@shared_task(name="compliance.obligations_evaluate")
def obligations_evaluate(*, incident_id: int) -> dict[str, int]:
    """After an incident changes: its notification clocks again (idempotent)."""
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        return {}
    return notifications.obligations_evaluate(incident=incident)


@shared_task(name="compliance.obligations_sweep")
def obligations_sweep() -> int:
    """Every ten minutes: incidents changed lately evaluated again, in case a publish after a
    change was lost (a dead broker), so no clock is missed."""
    return notification_reminders.obligations_sweep()


@shared_task(name="compliance.deadline_reminders")
def deadline_reminders() -> int:
    """Every ten minutes: DPO and Legal Counsel reminded of the clocks' points, each once;
    the DPO alerted daily about provisional clocks."""
    return notification_reminders.deadline_reminders_send()


@shared_task(name="compliance.obligations_evaluate_open")
def obligations_evaluate_open() -> int:
    """After a legal entity changes: every open incident's clocks again."""
    return notification_reminders.open_incidents_evaluate()
