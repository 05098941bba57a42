"""Signing in in two steps, and the pages where people set up and manage two-factor.

Sign-in: the password step (`PortalLoginView`) signs in at once a person without
two-factor; for a person with it, it only remembers who passed the password, for
`TWO_FACTOR_LOGIN_SECONDS`, and sends them to the code step (`LoginCodeView`), which signs
them in and marks the session verified. No session is signed in on a password alone for
someone who has two-factor. A wrong code counts as a failed sign-in for django-axes.

New backup codes are rendered in the POST response that made them, never stored in the
session or shown again (as API tokens are).
"""

from __future__ import annotations

import time
from typing import Any, cast
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, user_login_failed
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.contrib.auth.views import LoginView, RedirectURLMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django.views.generic import FormView

from bcp_portal.core import twofactor
from bcp_portal.core.twofactor_forms import (
    BackupCodesForm,
    LoginCodeForm,
    TwoFactorRemoveForm,
    TwoFactorSetupForm,
)

PENDING_KEY = "twofactor_pending"
NEEDS_SETUP = (
    "Set up two-factor authentication: until you do, you can read everything you could "
    "before but change nothing."
)


def _backend_path(user: User) -> str:
    return str(getattr(user, "backend", "") or settings.AUTHENTICATION_BACKENDS[-1])


class PortalLoginView(LoginView):
    """The password step."""

    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if twofactor.has_two_factor(user):
            self.request.session[PENDING_KEY] = {
                "user": user.pk,
                "backend": _backend_path(user),
                "at": time.time(),
                "failures": 0,
            }
            url = reverse("login-code")
            if next_url := self.get_redirect_url():
                url += "?" + urlencode({self.redirect_field_name: next_url})
            return HttpResponseRedirect(url)
        auth_login(self.request, user)
        if twofactor.two_factor_required_for(user):
            messages.warning(self.request, NEEDS_SETUP)
        return HttpResponseRedirect(self.get_success_url())


def _pending_user(request: HttpRequest) -> User | None:
    """Who passed the password step, while it is fresh; their backend noted on them."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        return None
    if time.time() - float(pending.get("at", 0)) > settings.TWO_FACTOR_LOGIN_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is not None:
        user.backend = str(pending.get("backend", ""))  # type: ignore[attr-defined]
    return user


@method_decorator([sensitive_post_parameters(), csrf_protect, never_cache], name="dispatch")
class LoginCodeView(RedirectURLMixin, FormView):
    """The code step: a code from the app, or a backup code."""

    form_class = LoginCodeForm
    template_name = "registration/login_code.html"
    http_method_names = ["get", "head", "post", "options"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (request.method or "").lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.pending_user = _pending_user(request)
        if self.pending_user is None:
            if request.method == "POST":
                messages.error(request, "Signing in took too long: type your password again.")
            return redirect("login")
        return cast(HttpResponse, super().dispatch(request, *args, **kwargs))

    def get_default_redirect_url(self) -> str:
        return reverse(settings.LOGIN_REDIRECT_URL)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context[self.redirect_field_name] = self.get_redirect_url()
        return context

    def form_valid(self, form: LoginCodeForm) -> HttpResponse:
        user = self.pending_user
        assert user is not None  # dispatch sent everyone else away
        check = twofactor.code_check(user, form.cleaned_data["otp_code"])
        if not check.ok:
            return self._refused(form, check.error)
        self.request.session.pop(PENDING_KEY, None)
        auth_login(self.request, user, backend=getattr(user, "backend", None))
        django_otp.login(self.request, check.device)
        if check.used_backup_code:
            left = twofactor.backup_codes_left(user)
            messages.warning(
                self.request,
                f"You signed in with a backup code; {left} left. "
                "Make new ones in your settings if you are running low.",
            )
        return HttpResponseRedirect(self.get_success_url())

    def _refused(self, form: LoginCodeForm, error: str) -> HttpResponse:
        user = self.pending_user
        assert user is not None
        pending = self.request.session[PENDING_KEY]
        pending["failures"] = int(pending.get("failures", 0)) + 1
        self.request.session.modified = True
        # A wrong second factor is a failed sign-in: django-axes counts it with the others.
        user_login_failed.send(
            sender=__name__,
            credentials={"username": user.get_username()},
            request=self.request,
        )
        if getattr(self.request, "axes_locked_out", False) or (
            pending["failures"] >= settings.AXES_FAILURE_LIMIT
        ):
            self.request.session.pop(PENDING_KEY, None)
            messages.error(self.request, "Too many wrong codes: start again with your password.")
            return redirect("login")
        form.add_error("otp_code", error)
        return self.form_invalid(form)


# --- the settings pages ---------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # login_required


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the secret), then confirm with the password and a code."""
    user = _user(request)
    if twofactor.has_two_factor(user):
        messages.info(request, "Two-factor authentication is already set up.")
        return redirect("account-settings")
    device = twofactor.totp_device_pending(user=user)
    form = TwoFactorSetupForm(request.POST or None, reauth_user=user, reauth_device=device)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.two_factor_enrol(actor=user, device=device)
        device.refresh_from_db()
        django_otp.login(request, device)
        return render(
            request,
            "account/backup_codes.html",
            {"codes": codes, "heading": "Two-factor authentication is on"},
        )
    return render(
        request,
        "account/two_factor_setup.html",
        {
            "form": form,
            "qr": twofactor.totp_qr_data_uri(device),
            "secret": twofactor.totp_secret(device),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not twofactor.has_two_factor(user):
        messages.info(request, twofactor.NOT_SET_UP)
        return redirect("account-settings")
    form = BackupCodesForm(request.POST or None, reauth_user=user)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.backup_codes_regenerate(actor=user)
        return render(
            request, "account/backup_codes.html", {"codes": codes, "heading": "New backup codes"}
        )
    return render(
        request,
        "account/reauth_form.html",
        {
            "form": form,
            "heading": "Make new backup codes",
            "intro": "Your current backup codes stop working as soon as the new ones are made.",
            "button": "Make new backup codes",
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not twofactor.has_two_factor(user):
        messages.info(request, twofactor.NOT_SET_UP)
        return redirect("account-settings")
    form = TwoFactorRemoveForm(request.POST or None, reauth_user=user)
    if request.method == "POST" and form.is_valid():
        twofactor.two_factor_remove(actor=user)
        request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
        messages.success(request, "Two-factor authentication is off.")
        if twofactor.two_factor_required_for(user):
            messages.warning(request, NEEDS_SETUP)
        return redirect("account-settings")
    required = twofactor.two_factor_required_for(user)
    return render(
        request,
        "account/reauth_form.html",
        {
            "form": form,
            "heading": "Turn two-factor authentication off",
            "intro": (
                "Your authenticator app and backup codes stop working. "
                + (
                    "Your roles require two-factor: until you set it up again you can read "
                    "but not change anything."
                    if required
                    else ""
                )
            ),
            "button": "Turn two-factor off",
            "danger": True,
        },
    )
