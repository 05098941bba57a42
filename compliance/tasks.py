"""Tasks of the compliance app: thin adapters over the services, scheduled in
bcp_portal/schedule.py."""

from celery import shared_task

from compliance import breakglass


@shared_task(name="compliance.break_glass_write")
def break_glass_write(*, version_id: int) -> None:
    """Write a published version's break-glass copies (idempotent: written ones are kept)."""
    breakglass.copies_write(version_id=version_id)
