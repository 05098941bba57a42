"""Tasks of the incidents app: thin wrappers that call a service."""

from celery import shared_task

from incidents import services


@shared_task(name="incidents.action_reminders")
def action_reminders() -> int:
    """Hourly (bcp_portal.schedule): due-soon, overdue and escalation reminders, each once."""
    return services.action_reminders_send()
