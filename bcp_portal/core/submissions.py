"""A write sent twice is made once: one-time form tokens and API idempotency keys.

A double click, a page resubmitted from the browser's history or a retried API call must not
add a second contact, drill or report. Every create form (`forms.PortalFormMixin`) carries a
hidden one-time token; an API call may send an `Idempotency-Key` header. `submit_once`
records the key in a `SubmissionKey` row, under a unique (user, key), in the same
transaction as the write and before it:

- the first request inserts the row, writes, stores where its result is, and commits;
- a second request with the same key blocks on the row's unique index until the first
  commits (PostgreSQL; SQLite's transactions begin IMMEDIATE and wait for the write lock),
  then fails to insert and raises `AlreadySubmitted`, carrying the first one's result;
- if the first fails (a refusal, an error), its transaction rolls back with the row, and the
  key is free again: the corrected form, or the retried call, goes through.

So even two requests racing each other write once, and the second gets the first's answer.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from bcp_portal.core.models import SubmissionKey

T = TypeVar("T")

# The hidden field every create form carries, and what its value may be.
FORM_TOKEN_FIELD = "submission_token"
FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
ALREADY_SAVED = (
    "Already saved: this form was sent more than once (a double click or a page sent again), "
    "and only the first was kept. Here is what it saved."
)
# Long enough for any page left open or any retried API call; the daily task prunes older.
KEEP_FOR = timedelta(days=7)


class AlreadySubmitted(Exception):
    """The key was used by an earlier request that committed: `record` holds its result."""

    def __init__(self, record: SubmissionKey) -> None:
        super().__init__(f"{record.key} was submitted already")
        self.record = record


def new_form_token() -> str:
    """A fresh one-time token, rendered into a create form each time it is shown."""
    return secrets.token_urlsafe(24)


def submit_once(
    *,
    user: User,
    key: str,
    work: Callable[[], T],
    remember: Callable[[T], dict[str, Any]] = lambda result: {},
    request_digest: str = "",
) -> T:
    """Run `work` once per (user, key); raise AlreadySubmitted for any later request.

    `work` runs in the same transaction as the key's row, and what `remember(result)`
    returns (`result_url` for a page, `response_status` and `response_body` for an API
    call) is stored on the row before it commits, for a repeat to be answered with.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = SubmissionKey.objects.create(
                    user=user, key=key, request_digest=request_digest
                )
        except IntegrityError:
            # The first request committed while this one waited on the unique index.
            raise AlreadySubmitted(SubmissionKey.objects.get(user=user, key=key)) from None
        result = work()
        answer = remember(result)
        if answer:
            for name, value in answer.items():
                setattr(record, name, value)
            record.save(update_fields=list(answer))
    return result


def submission_keys_prune(*, now: datetime | None = None) -> int:
    """Forget keys older than KEEP_FOR; return how many. (Operational rows: a plain delete.)"""
    cutoff = (now or timezone.now()) - KEEP_FOR
    deleted, _ = SubmissionKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
