"""Tasks of the incidents app: thin adapters over the services, scheduled in
bcp_portal/schedule.py."""

from celery import shared_task

from incidents.escalation import escalations_advance_due, notices_check


@shared_task(name="incidents.escalation_advance")
def escalation_advance() -> dict[str, int]:
    """Every minute: page the chain's steps that came due, flag notice deadlines missed.
    Idempotent: pages are keyed in the outbox, checked notices carry a done marker."""
    return {"paged": escalations_advance_due(), "missed": notices_check()}
