"""Tasks of the action tracker: thin wrappers that call a service."""

from celery import shared_task

from bcp_portal.actions import services


@shared_task(name="actions.reminders")
def action_reminders() -> int:
    """Hourly (bcp_portal.schedule): due-soon, overdue and escalation reminders, each once."""
    return services.action_reminders_send()
