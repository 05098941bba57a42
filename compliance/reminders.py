"""Runbook reminders, sent through the outbox by the periodic tasks (compliance.tasks).

Approvals: a role that a change in review still waits for, APPROVAL_REMIND_AFTER_HOURS
after the round began (the submission, or the last time an edit voided the signatures), is
reminded once per such interval: the key names the change, its review round, the role and
the number of intervals elapsed. Reviews: a published runbook whose next review is today or
past is reminded to its owner (else the SRE Lead role) once per ISO week while it stays due:
the key names the document, its next review date and the week. Each key is the "done"
marker, so a run that comes late catches up and a run twice sends nothing new.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from bcp_portal.catalogue.selectors import organisation_today
from bcp_portal.core import signing
from bcp_portal.core.links import detail_url
from bcp_portal.core.models import SignOff
from bcp_portal.core.outbox import outbox_add_new
from bcp_portal.core.people import display_name
from bcp_portal.core.roles import SRE_LEAD
from compliance import selectors
from compliance.models import ChangeRequest, RunbookVersion
from compliance.services import version_url


def remind_after() -> timedelta:
    return timedelta(hours=settings.APPROVAL_REMIND_AFTER_HOURS)


def round_started(change: ChangeRequest, last_void: datetime | None) -> datetime | None:
    """When the current review round began: the submission, or a later voiding edit."""
    moments = [m for m in (change.submitted_at, last_void) if m is not None]
    return max(moments) if moments else None


@transaction.atomic
def approval_reminders_send(*, now: datetime | None = None) -> int:
    """Queue a reminder per role still waiting on each change in review, once per interval."""
    now = now or timezone.now()
    interval = remind_after()
    changes = list(
        ChangeRequest.objects.filter(version__status=RunbookVersion.Status.IN_REVIEW)
        .select_related("version__document", "author")
        .prefetch_related("required")
        .order_by("submitted_at", "pk")
    )
    last_voids = dict(
        SignOff.objects.filter(
            subject_type=ContentType.objects.get_for_model(ChangeRequest),
            subject_id__in=[c.pk for c in changes],
            voided_at__isnull=False,
        )
        .values("subject_id")
        .annotate(last=Max("voided_at"))
        .values_list("subject_id", "last")
    )
    messages: list[tuple[str, dict[str, Any]]] = []
    for change in changes:
        started = round_started(change, last_voids.get(change.pk))
        if started is None or now - started < interval:
            continue
        intervals = int((now - started) / interval)
        waited_hours = int((now - started).total_seconds() // 3600)
        version = change.version
        for role in signing.missing_roles(change):
            key = f"runbook-change:{change.pk}:r{change.review_round}:remind:{role}:{intervals}"
            message = {
                "to_role": role,
                "subject": f"Still waiting for your approval ({role}): {version}",
                "body": (
                    f"{version.document.title} {version.label}, a "
                    f"{change.get_change_type_display().lower()} by "
                    f"{display_name(change.author)}, has waited {waited_hours} hours for the "
                    f"{role} role.\n"
                    f"Rule: {change.rule_text}.\nReason: {change.reason}"
                ),
                "url": version_url(version),
            }
            messages.append((key, message))
    return outbox_add_new(messages)


@transaction.atomic
def review_reminders_send() -> int:
    """Queue a reminder per published runbook whose review is due, once per ISO week."""
    today = organisation_today()
    year, week, _ = today.isocalendar()
    messages: list[tuple[str, dict[str, Any]]] = []
    for document in selectors.reviews_due(today).select_related("owner_user"):
        overdue = document.next_review < today
        recipient: dict[str, Any] = (
            {"to_user": document.owner_user}
            if document.owner_user is not None and document.owner_user.is_active
            else {"to_role": SRE_LEAD}
        )
        key = f"runbook-review:{document.pk}:{document.next_review}:{year}-W{week:02d}"
        message = dict(
            subject=(
                f"Runbook review {'overdue' if overdue else 'due'}: {document.doc_id} "
                f"{document.title}"
            ),
            body=(
                f"{document.doc_id} {document.title} was due for its "
                f"{document.get_review_cadence_display().lower()} review on "
                f"{document.next_review:%Y-%m-%d}. Read the published version and record the "
                "review (or open a change if it needs one)."
            ),
            url=detail_url("compliance:document-detail", document.pk),
            **recipient,
        )
        messages.append((key, message))
    return outbox_add_new(messages)
