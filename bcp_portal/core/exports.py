"""Exports rendered by a worker: a registry of export kinds and the task that renders them.

An app registers a kind in its own `reports.py` (found on first use, like admin modules):

    @register("catalogue.service_catalogue", permission="catalogue.view_service")
    def service_catalogue(*, params, user, progress) -> Export: ...

The builder turns the request's `params` (JSON) into a print template, its context and a
file name; it reads only what `user` may see. Declaring a `progress` argument is optional:
a builder with long context building calls `progress(percent, step)` and the progress page
shows it. `start_export` records a `TaskProgress` row and publishes `render_export` after
commit; the task builds, renders (bcp_portal.core.pdf), stores the file in default storage and
marks the row done, or failed with the error.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import shared_task
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from bcp_portal.core import tasking
from bcp_portal.core.models import TaskProgress
from bcp_portal.core.pdf import render_pdf
from bcp_portal.core.roles import require_perm
from bcp_portal.core.typehints import Actor

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]

# How the bar moves: the builder's own 0-100 maps onto BUILD_START..RENDER_START.
BUILD_START, RENDER_START, SAVE_START = 5, 60, 90
STEP_WAITING = "Waiting for a worker"
STEP_NOT_PUBLISHED = (
    "Not started: the task queue could not be reached. Nothing will pick this report up; "
    "start it again in a few minutes."
)
ERROR_MAX_LENGTH = 2000


@dataclass(frozen=True)
class Export:
    """What a builder returns: the print template, its context and the download name."""

    template: str
    context: dict[str, Any]
    filename: str


@dataclass(frozen=True)
class ExportKind:
    name: str
    build: Callable[..., Export]
    permission: str | None
    takes_progress: bool

    def run(
        self, *, params: dict[str, Any], user: Actor, progress: Progress | None = None
    ) -> Export:
        """Build the report; `progress` reaches the builder only if it asks for it."""
        kwargs: dict[str, Any] = {"params": params, "user": user}
        if self.takes_progress:
            kwargs["progress"] = progress or _ignore_progress
        return self.build(**kwargs)


_registry: dict[str, ExportKind] = {}
_discovered = False


def _ignore_progress(percent: int, step: str) -> None:
    return None


def register(
    kind: str, *, permission: str | None = None
) -> Callable[[Callable[..., Export]], Callable[..., Export]]:
    """Decorator: register `build(*, params, user[, progress]) -> Export` as `kind`."""

    def decorator(build: Callable[..., Export]) -> Callable[..., Export]:
        existing = _registry.get(kind)
        if existing is not None and _qualified(existing.build) != _qualified(build):
            raise ImproperlyConfigured(
                f"Export kind {kind!r} is registered twice: "
                f"{_qualified(existing.build)} and {_qualified(build)}."
            )
        _registry[kind] = ExportKind(
            name=kind,
            build=build,
            permission=permission,
            takes_progress="progress" in inspect.signature(build).parameters,
        )
        return build

    return decorator


def _qualified(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def get_export_kind(kind: str) -> ExportKind:
    """The registered kind; raises LookupError for an unknown one."""
    global _discovered
    if kind not in _registry and not _discovered:
        autodiscover_modules("reports")
        _discovered = True
    try:
        return _registry[kind]
    except KeyError:
        raise LookupError(f"No report kind {kind!r} is registered.") from None


def build_export(
    *, user: Actor, kind: str, params: dict[str, Any], progress: Progress | None = None
) -> Export:
    """Build a report's template, context and file name for `user` (permission checked).

    The task calls it; so does a view that renders a small report directly.
    """
    report_kind = get_export_kind(kind)
    if report_kind.permission:
        require_perm(user, report_kind.permission)
    return report_kind.run(params=params, user=user, progress=progress)


def start_export(*, user: User, kind: str, params: dict[str, Any], title: str) -> TaskProgress:
    """Record a report for `user` and have a worker render it; returns the progress row.

    The task is published after the caller's transaction commits, with the bounded publish
    the outbox uses (`bcp_portal.core.tasking.publish`: a dead broker never hangs the request).
    Note: if that publish fails, the row stays "queued" and its step says the report was
    not started; unlike outbox messages, no sweep re-publishes it, so the user starts it
    again (the progress page shows them the step text).
    """
    report_kind = get_export_kind(kind)
    if report_kind.permission:
        require_perm(user, report_kind.permission)
    progress = TaskProgress.objects.create(
        kind=kind, title=title[:255], owner=user, params=params, step=STEP_WAITING
    )
    progress_id = str(progress.pk)
    transaction.on_commit(lambda: _publish(progress_id))
    return progress


def _publish(progress_id: str) -> None:
    if not tasking.publish(render_export, progress_id=progress_id):
        # Only if no worker has taken it meanwhile (a publish can fail after delivery).
        _update(progress_id, only_if=TaskProgress.Status.QUEUED, step=STEP_NOT_PUBLISHED)


def _update(progress_id: str, *, only_if: str | None = None, **fields: Any) -> int:
    """Write progress fields; `update()` skips `auto_now`, so `updated_at` is set here."""
    rows = TaskProgress.objects.filter(pk=progress_id)
    if only_if is not None:
        rows = rows.filter(status=only_if)
    return rows.update(updated_at=timezone.now(), **fields)


@shared_task(name="core.exports.render")
def render_export(*, progress_id: str) -> str:
    """Render the report of one progress row into default storage.

    Idempotent: a row already done or failed is skipped; a row left running by a worker
    that died is rendered again from scratch. A failure is recorded on the row, logged and
    re-raised so Celery records it too.
    """
    active = [TaskProgress.Status.QUEUED, TaskProgress.Status.RUNNING]
    claimed = TaskProgress.objects.filter(pk=progress_id, status__in=active).update(
        status=TaskProgress.Status.RUNNING,
        percent=1,
        step="Starting",
        error="",
        updated_at=timezone.now(),
    )
    if not claimed:
        return "skipped"
    progress = TaskProgress.objects.select_related("owner").get(pk=progress_id)
    try:
        result_file, result_name = _render(progress)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH]
        _update(progress_id, status=TaskProgress.Status.FAILED, step="Failed", error=error)
        logger.exception("Export %s (%s) failed", progress_id, progress.kind)
        raise
    _update(
        progress_id,
        status=TaskProgress.Status.DONE,
        percent=100,
        step="Ready",
        result_file=result_file,
        result_name=result_name,
    )
    return "done"


def _render(progress: TaskProgress) -> tuple[str, str]:
    progress_id = str(progress.pk)

    def report_progress(percent: int, step: str) -> None:
        percent = max(0, min(100, int(percent)))
        span = RENDER_START - BUILD_START
        _update(progress_id, percent=BUILD_START + span * percent // 100, step=step[:255])

    report_progress(0, "Collecting the data")
    # The permission is checked again here: it (or the account) can go while the report waits.
    report = build_export(
        user=progress.owner, kind=progress.kind, params=progress.params, progress=report_progress
    )
    _update(progress_id, percent=RENDER_START, step="Rendering the PDF")
    pdf = render_pdf(template=report.template, context=report.context, reader=progress.owner)
    _update(progress_id, percent=SAVE_START, step="Saving the file")
    name = default_storage.save(f"exports/{progress_id}/{report.filename}", ContentFile(pdf))
    return name, report.filename
