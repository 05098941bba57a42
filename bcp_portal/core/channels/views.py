"""Pages of the channels: your inbox; the SRE Lead's targets and failing deliveries."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bcp_portal.core.channels import selectors, services
from bcp_portal.core.channels.filters import InboxFilterSet
from bcp_portal.core.channels.forms import NotificationTargetForm
from bcp_portal.core.filters import filtered_by
from bcp_portal.core.forms import submit_form
from bcp_portal.core.models import InboxItem, NotificationTarget
from bcp_portal.core.paginator import CappedPaginator, page_of
from bcp_portal.core.roles import permission_required

PER_PAGE = 25


@login_required
@require_safe
@filtered_by(InboxFilterSet)
def inbox(request: HttpRequest) -> HttpResponse:
    filterset = InboxFilterSet(
        request.GET, queryset=selectors.inbox_list(user=request.user), request=request
    )
    valid = filterset.is_valid()
    qs = filterset.qs if valid else filterset.queryset.none()
    page, page_error = page_of(CappedPaginator(qs, PER_PAGE), request.GET)
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "page_error": page_error, "filter_form": filterset.form},
        status=200 if valid and not page_error else 400,
    )


@login_required
@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one item read; with `open`, go on to what it links to."""
    item = get_object_or_404(InboxItem.objects.only("id", "url"), pk=pk, user_id=request.user.pk)
    services.inbox_mark_read(actor=request.user, item_id=item.pk)
    if "open" in request.POST and url_has_allowed_host_and_scheme(item.url, allowed_hosts=None):
        return redirect(item.url or "notifications:inbox")
    return redirect("notifications:inbox")


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    count = services.inbox_mark_all_read(actor=request.user)
    messages.success(request, f"{count} message(s) marked read.")
    return redirect("notifications:inbox")


@login_required
@permission_required("core.view_notificationtarget")
@require_safe
def target_list(request: HttpRequest) -> HttpResponse:
    page, page_error = page_of(CappedPaginator(selectors.target_list(), PER_PAGE), request.GET)
    return render(
        request,
        "notifications/target_list.html",
        {
            "page": page,
            "page_error": page_error,
            "can_add": request.user.has_perm("core.add_notificationtarget"),
            "can_change": request.user.has_perm("core.change_notificationtarget"),
        },
        status=400 if page_error else 200,
    )


@login_required
@permission_required("core.add_notificationtarget")
@require_http_methods(["GET", "POST"])
def target_create(request: HttpRequest) -> HttpResponse:
    form = NotificationTargetForm(request.POST or None)
    saved = submit_form(
        request,
        form,
        lambda data: services.notification_target_create(actor=request.user, **data),
        success=lambda target: f"“{target.name}” saved; senders name it {target.channel}.",
        redirect_to="notifications:target-list",
    )
    return saved or render(request, "notifications/target_form.html", {"form": form})


@login_required
@permission_required("core.change_notificationtarget")
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(NotificationTarget, pk=pk)
    # A copy of its own: a refused form must not change what the page shows as saved.
    form = NotificationTargetForm(
        request.POST or None, instance=NotificationTarget.objects.get(pk=pk)
    )

    def save(data: dict[str, Any]) -> NotificationTarget:
        return services.notification_target_update(actor=request.user, target=target, **data)

    saved = submit_form(
        request,
        form,
        save,
        success=lambda target: f"“{target.name}” saved.",
        redirect_to="notifications:target-list",
    )
    return saved or render(
        request, "notifications/target_form.html", {"form": form, "target": target}
    )


@login_required
@permission_required(selectors.FAILING_PERMISSION)
@require_safe
def failing_deliveries(request: HttpRequest) -> HttpResponse:
    page, page_error = page_of(
        CappedPaginator(selectors.failing_deliveries(), PER_PAGE), request.GET
    )
    return render(
        request,
        "notifications/failing.html",
        {"page": page, "page_error": page_error},
        status=400 if page_error else 200,
    )
