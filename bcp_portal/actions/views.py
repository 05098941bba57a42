"""Pages of the action tracker: every action, "mine", one action with its history, edit."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bcp_portal.actions import selectors, services, sources
from bcp_portal.actions.filters import ActionFilterSet
from bcp_portal.actions.forms import ActionForm, TransitionCommentForm
from bcp_portal.actions.models import Action
from bcp_portal.core.filters import filtered_by
from bcp_portal.core.forms import submit_form
from bcp_portal.core.paginator import CappedPaginator, page_of
from bcp_portal.core.roles import permission_required

PAGE_SIZE = 25


NO_SOURCE = sources.SourceRef(kind="", id=None, label="—", url="")


@dataclass(frozen=True)
class Row:
    action: Action
    overdue: bool
    source: sources.SourceRef


def source_link(action: Action) -> sources.SourceRef:
    """The action's source, with a link to it where its app has a page."""
    return sources.describe(action) or NO_SOURCE


def _actions_page(request: HttpRequest, *, mine: bool) -> HttpResponse:
    params = request.GET
    today = timezone.localdate()
    filterset = ActionFilterSet(
        params,
        queryset=selectors.action_list(user=request.user, mine=mine, today=today),
        request=request,
        today=today,
        # "Mine" has no owner filter: its owner is the viewer.
        only=[name for name in ActionFilterSet.base_filters if not (mine and name == "owner")],
    )
    valid = filterset.is_valid()
    qs = filterset.qs if valid else filterset.queryset.none()
    page, page_error = page_of(CappedPaginator(qs, PAGE_SIZE), params)
    rows = [Row(a, a.is_overdue(today), source_link(a)) for a in page.object_list]
    return render(
        request,
        "actions/action_list.html",
        {
            "page": page,
            "page_error": page_error,
            "rows": rows,
            "mine": mine,
            "filter_form": filterset.form,
            "filtered": any(params.get(name) for name in filterset.filters),
            "statuses": selectors.STATUS_FILTERS,
            "priorities": Action.Priority.choices,
            "owners": [] if mine else list(selectors.action_owners()),
            "sources": selectors.source_filters(),
        },
        status=200 if valid and not page_error else 400,
    )


@login_required
@permission_required("actions.view_action")
@require_safe
@filtered_by(ActionFilterSet)
def action_list(request: HttpRequest) -> HttpResponse:
    return _actions_page(request, mine=False)


@login_required
@permission_required("actions.view_action")
@require_safe
@filtered_by(ActionFilterSet, without=("owner",))
def action_mine(request: HttpRequest) -> HttpResponse:
    return _actions_page(request, mine=True)


@login_required
@permission_required("actions.view_action")
@require_safe
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action_for_page(pk)
    return _render_detail(request, action)


def _action_for_page(pk: int) -> Action:
    return get_object_or_404(
        Action.objects.select_related("owner", *sources.select_related_paths()), pk=pk
    )


def _render_detail(
    request: HttpRequest,
    action: Action,
    comment_form: TransitionCommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_change = services.action_may_change(request.user, action)
    moves = [Action.Status(s) for s in services.ACTION_MOVES[action.status]] if can_change else []
    # Someone closing an action they do not own gives a comment: ask next to the buttons.
    asks_comment = any(services.action_needs_comment(request.user, action, m) for m in moves)
    if comment_form is None and asks_comment:
        comment_form = TransitionCommentForm()
    return render(
        request,
        "actions/action_detail.html",
        {
            "action": action,
            "overdue": action.is_overdue(timezone.localdate()),
            "source": source_link(action),
            "history": selectors.action_history(action),
            "can_change": can_change,
            "moves": moves,
            "comment_form": comment_form if asks_comment else None,
        },
        status=status,
    )


@login_required
@permission_required("actions.change_action")
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(Action, pk=pk)
    if not services.action_may_change(request.user, action):
        raise PermissionDenied("Only the action's owner or a manager may edit it.")
    # The form validates its own copy, so a rejected form never half-changes `action`.
    form = ActionForm(request.POST or None, instance=Action.objects.get(pk=pk))
    saved = submit_form(
        request,
        form,
        lambda data: services.action_update(actor=request.user, action=action, **data),
        success=lambda action: f"“{action}” saved.",
    )
    if saved:
        return saved
    return render(request, "actions/action_form.html", {"form": form, "action": action})


@require_POST
@login_required
@permission_required("actions.change_action")
def action_transition(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action_for_page(pk)
    form = TransitionCommentForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.action_transition(
                    actor=request.user,
                    action=Action.objects.get(pk=pk),
                    status=request.POST.get("status", ""),
                    comment=form.cleaned_data["comment"],
                )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {}
            if "comment" in errors:
                # The comment is asked for on the page: show it there, keeping what was typed.
                form.add_error("comment", errors["comment"])
                return _render_detail(request, action, form, status=400)
            messages.error(request, " ".join(exc.messages))
        else:
            action.refresh_from_db()
            messages.success(request, f"“{action}” is now {action.get_status_display().lower()}.")
            return redirect(action)
    else:
        return _render_detail(request, action, form, status=400)
    return redirect(action)
