"""Tasks of the drills app: thin adapters over the services, scheduled in bcp_portal/schedule.py."""

from celery import shared_task

from drills.services.planning import GENERATE_MONTHS, drill_calendar_generate
from drills.services.reminders import drill_reminders_send


@shared_task(name="drills.generate_calendar")
def generate_calendar(*, months: int = GENERATE_MONTHS) -> int:
    """Daily: keep planned drills generated for the coming months (adds only what is missing)."""
    return drill_calendar_generate(months=months)


@shared_task(name="drills.send_reminders")
def send_reminders() -> int:
    """Hourly: queue the reminders and overdue flags that became due since the last run."""
    return drill_reminders_send()
