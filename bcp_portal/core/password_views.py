"""The password pages: Django's views, atomic, and saying what the change revoked.

The change itself is recorded by the User signal (`core.passwords`) whichever page makes
it; these views only run it in one transaction with the record and carry the event's id to
the confirmation page through the session. `remember_password_change` and
`recalled_password_change` are the two halves, for any other page that sets a password
(a form that also asks for a one-time code, a staff reset page).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.db import transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse

from bcp_portal.core.models import AccountEvent
from bcp_portal.core.passwords import CHANGE_EVENT_SESSION_KEY, password_change_how, revoked_in


def remember_password_change(request: HttpRequest, user: User) -> None:
    """After a password form saved `user`: keep its change event for the next page."""
    event = getattr(user, "_bcp_password_event", None)
    if event is not None:
        request.session[CHANGE_EVENT_SESSION_KEY] = event.pk


def recalled_password_change(request: HttpRequest) -> AccountEvent | None:
    """The change event `remember_password_change` kept, once (this session's only)."""
    pk = request.session.pop(CHANGE_EVENT_SESSION_KEY, None)
    if not isinstance(pk, int):
        return None
    events = AccountEvent.objects.filter(pk=pk).select_related("actor")
    if request.user.is_authenticated:
        events = events.filter(user=request.user)
    return events.first()


def change_context(request: HttpRequest) -> dict[str, Any]:
    event = recalled_password_change(request)
    return {
        "change": event,
        "how": password_change_how(event) if event else "",
        "revoked": revoked_in(event),
    }


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form: Form) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
        remember_password_change(self.request, form.user)  # type: ignore[attr-defined]  # PasswordChangeForm.user
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **change_context(self.request)}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form: Form) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
        remember_password_change(self.request, form.user)  # type: ignore[attr-defined]  # SetPasswordForm.user
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **change_context(self.request)}
