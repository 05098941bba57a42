"""The admin's people pages: Django's user admin, with offboarding, and with staff
re-authenticating (`core.reauth`) before they set someone's password or reset their
two-factor; the password change and its record stand or fall together.

"Offboard" on a user's change page (for superusers and holders of `core.offboard_user`)
opens a page that lists what offboarding will revoke, end and hand over, asks who receives
the work, and then runs `core.offboarding.user_offboard`. Once done, the same page shows
the checklist of what moved, read back from the OFFBOARDED account event.
"""

from __future__ import annotations

import contextvars
import functools
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from bcp_portal.core import twofactor
from bcp_portal.core.forms import apply_validation_error
from bcp_portal.core.models import AccountEvent
from bcp_portal.core.offboarding import (
    may_offboard,
    offboarded_checklist,
    offboarding_checklist,
    successor_choices,
    user_offboard,
)
from bcp_portal.core.people import display_name
from bcp_portal.core.twofactor_forms import StaffPasswordChangeForm, StaffTwoFactorResetForm

# Who is setting a password in the admin right now: the password form needs the staff
# member to re-authenticate, and Django's view builds the form with the target user only.
_staff_member: contextvars.ContextVar[Any] = contextvars.ContextVar("bcp_admin_staff")


class SuccessorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{display_name(obj)} ({obj.get_username()})"


class OffboardForm(forms.Form):
    successor = SuccessorChoiceField(
        queryset=User.objects.none(),
        label="Hand their work over to",
        help_text="An active person with a role. They receive everything listed above.",
    )

    def __init__(self, leaver: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = successor_choices(leaver)  # type: ignore[attr-defined]  # a ModelChoiceField


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    change_user_password_template = "admin/auth/user/reauth_change_password.html"
    actions = ["reset_two_factor"]

    @property
    def change_password_form(self) -> Any:
        return functools.partial(StaffPasswordChangeForm, staff=_staff_member.get())

    def get_urls(self) -> list[URLPattern]:
        offboard = path(
            "<path:object_id>/offboard/",
            self.admin_site.admin_view(self.offboard_view),
            name="auth_user_offboard",
        )
        return [offboard, *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra = {"may_offboard": may_offboard(request.user), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        # The change and its record (revocations, account event, mail) stand or fall together.
        token = _staff_member.set(request.user)
        try:
            with transaction.atomic():
                return super().user_change_password(request, id, form_url)
        finally:
            _staff_member.reset(token)

    def offboard_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not may_offboard(request.user):
            raise PermissionDenied("Only an administrator who may offboard people can do this.")
        leaver = self.get_object(request, unquote(object_id))
        if leaver is None:
            raise Http404("No such user.")
        form = OffboardForm(leaver, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                user_offboard(
                    actor=request.user, leaver=leaver, successor=form.cleaned_data["successor"]
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"{display_name(leaver)} is offboarded.")
                return redirect(reverse("admin:auth_user_offboard", args=[leaver.pk]))
        done = (
            AccountEvent.objects.filter(user=leaver, kind=AccountEvent.Kind.OFFBOARDED)
            .select_related("actor")
            .first()
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": leaver,
            "leaver_name": display_name(leaver),
            "title": f"Offboard {display_name(leaver)}",
            "form": form,
            "done": done,
            "moved": offboarded_checklist(done) if done else [],
            "checklist": offboarding_checklist(leaver) if leaver.is_active else [],
        }
        return TemplateResponse(request, "admin/auth/user/offboard.html", context)

    @admin.action(description="Reset two-factor authentication", permissions=["change"])
    def reset_two_factor(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> HttpResponse | None:
        """Removes the chosen people's authenticator apps and backup codes, after the staff
        member confirms with their own password and code; each person is told by mail."""
        staff = cast(User, request.user)  # the admin is for signed-in staff only
        users = list(queryset.order_by("username"))
        targets = ", ".join(u.get_username() for u in users)
        form = StaffTwoFactorResetForm(
            request.POST if "confirm" in request.POST else None,
            reauth_user=staff,
            reauth_detail={"targets": targets},
        )
        if "confirm" in request.POST and form.is_valid():
            for user in users:
                twofactor.two_factor_reset_by_staff(actor=staff, user=user)
            self.message_user(
                request,
                f"Two-factor reset for {targets}; each was told by mail.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reset two-factor authentication",
            "opts": self.opts,
            "users": users,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/auth/user/reset_two_factor.html", context)
