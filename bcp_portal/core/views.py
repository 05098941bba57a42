"""The machinery's pages: health, your settings, task progress and error pages."""

import logging
import uuid
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_safe
from django_htmx.middleware import HtmxDetails

from bcp_portal.celery import app
from bcp_portal.core import dbstate, services, twofactor
from bcp_portal.core.forms import ProfileForm, apply_validation_error
from bcp_portal.core.models import TaskProgress

logger = logging.getLogger(__name__)


class HtmxRequest(HttpRequest):
    """A request that went through django-htmx's middleware."""

    htmx: HtmxDetails


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker status; 503 when the database is unreachable or not migrated."""
    status = {"database": "ok", "broker": "ok"}
    http_status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any database failure makes the portal unhealthy
        logger.warning("healthz: database unreachable: %s", exc)
        status["database"] = "unreachable"
        http_status = 503
    else:
        pending = dbstate.pending_migrations()
        if pending:
            # Every page that reads a new column would fail: not fit to serve.
            status["database"] = f"{len(pending)} migration(s) not applied"
            http_status = 503
    if settings.CELERY_TASK_ALWAYS_EAGER:
        status["broker"] = "eager"
    else:
        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:  # a dead broker is reported; the sweep catches up later
            logger.warning("healthz: broker unreachable: %s", exc)
            status["broker"] = "unreachable"
    status["status"] = (
        "ok"
        if http_status == 200 and status["broker"] != "unreachable"
        else ("degraded" if http_status == 200 else "down")
    )
    return JsonResponse(status, status=http_status)


@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request: HttpRequest) -> HttpResponse:
    profile = cast(User, request.user).profile  # login_required: a signed-in user
    form = ProfileForm(request.POST or None, instance=type(profile).objects.get(pk=profile.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(actor=request.user, profile=profile, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Your settings are saved.")
            return redirect("account-settings")
    user = cast(User, request.user)
    two_factor = {
        "enabled": twofactor.has_two_factor(user),
        "required": twofactor.two_factor_required_for(user),
        "backup_codes_left": twofactor.backup_codes_left(user),
    }
    return render(request, "account/settings.html", {"form": form, "two_factor": two_factor})


@login_required
@require_safe
def task_progress(request: HtmxRequest, pk: uuid.UUID) -> HttpResponse:
    """Progress of a long report; the page polls itself (htmx) until it is done."""
    progress = get_object_or_404(TaskProgress, pk=pk, owner=request.user)
    template = "tasks/progress_inner.html" if request.htmx else "tasks/progress.html"
    return render(request, template, {"progress": progress})


@login_required
@require_safe
def task_download(request: HttpRequest, pk: uuid.UUID) -> FileResponse:
    progress = get_object_or_404(TaskProgress, pk=pk, owner=request.user)
    if progress.status != TaskProgress.Status.DONE or not progress.result_file:
        raise Http404("This report is not ready.")
    return FileResponse(
        default_storage.open(progress.result_file, "rb"),
        as_attachment=True,
        filename=progress.result_name or "report.pdf",
    )


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    return HttpResponseServerError(loader.render_to_string("errors/500.html"))
