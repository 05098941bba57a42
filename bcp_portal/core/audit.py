"""The audit context: who is acting, from where, under which request id.

Every write happens inside an audit context. The web middleware opens one per request
(source "web", "api" under /api/, "admin" in the admin), Celery tasks and management
commands open one with the "system" actor. django-simple-history copies it onto every
history row through the abstract `AuditedHistory` base, so the audit trail can say who, how
and in which request.

The request id is always the portal's own. A client may send `X-Request-ID` (a CI
pipeline's run id): it is kept, if short and plain (`client_request_id_from`), in a column
of its own, `history_client_request_id`, as the client's claim and never as ours, so two
requests cannot share an id in the trail and nobody can plant one there.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import models
from simple_history.models import HistoricalRecords

SYSTEM_USERNAME = "system"


class Source(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    TASK = "task", "Task"
    COMMAND = "command", "Command"


# What a client's request id may be: up to 64 printable ASCII letters, digits and . _ : / + = @ -
CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,64}")


def client_request_id_from(header: str | None) -> str:
    """The client's `X-Request-ID` if it is short and plain, else "" (nothing kept)."""
    header = (header or "").strip()
    return header if CLIENT_REQUEST_ID.fullmatch(header) else ""


def new_request_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class AuditContext:
    source: str
    request_id: str = field(default_factory=new_request_id)
    actor_id: int | None = None
    client_request_id: str = ""


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "bcp_audit_context", default=None
)


def current_context() -> AuditContext:
    """The context of the running write; outside any, a command run by the system."""
    return _current.get() or AuditContext(source=Source.COMMAND)


@contextlib.contextmanager
def audit_context(
    *,
    source: str,
    request_id: str | None = None,
    actor_id: int | None = None,
    client_request_id: str = "",
) -> Iterator[AuditContext]:
    ctx = AuditContext(
        source=source,
        request_id=request_id or new_request_id(),
        actor_id=actor_id,
        client_request_id=client_request_id,
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def get_system_user() -> User:
    """The actor recorded for tasks and commands (created by a migration, cannot log in)."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "first_name": "System", "password": "!"},
    )
    return user


class AuditedHistory(models.Model):
    """Extra columns on every historical model: where the change came from."""

    history_source = models.CharField(max_length=16, choices=Source.choices, default=Source.WEB)
    history_request_id = models.CharField(max_length=64, blank=True, default="")
    # The client's own X-Request-ID, as it claimed it (checked by `client_request_id_from`).
    history_client_request_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        abstract = True


def history(**options: Any) -> HistoricalRecords:
    """The `history = ...` field every domain model declares (options: e.g. m2m_fields)."""
    return HistoricalRecords(bases=[AuditedHistory], cascade_delete_history=False, **options)


def fill_history_row(
    sender: type[models.Model], instance: models.Model, history_instance: Any, **kwargs: Any
) -> None:
    """`pre_create_historical_record` receiver: stamps the audit context on the row."""
    ctx = current_context()
    history_instance.history_source = ctx.source
    history_instance.history_request_id = ctx.request_id
    history_instance.history_client_request_id = ctx.client_request_id
    if history_instance.history_user_id is None and ctx.source in (Source.TASK, Source.COMMAND):
        history_instance.history_user = get_system_user()
