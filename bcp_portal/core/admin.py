import contextvars
import functools
from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from bcp_portal.core import outbox, twofactor
from bcp_portal.core.admin_base import ReadOnlyAdmin
from bcp_portal.core.models import (
    AccountEvent,
    DeliveryAttempt,
    OutboxMessage,
    TaskProgress,
    UserProfile,
)
from bcp_portal.core.twofactor_forms import StaffPasswordChangeForm, StaffTwoFactorResetForm

# django-otp's own admins show TOTP keys (and QR codes) and backup codes to staff: a staff
# member could copy someone's second factor. Devices are managed by their owner only;
# staff may reset them (below), never read them.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

# Who is setting a password in the admin right now: the password form needs the staff
# member to re-authenticate, and Django's view builds the form with the target user only.
_staff_member: contextvars.ContextVar[Any] = contextvars.ContextVar("bcp_admin_staff")


class PortalUserAdmin(UserAdmin):
    """Django's user admin, with staff re-authenticating before they set someone's password
    or reset their two-factor (`core.reauth`)."""

    change_user_password_template = "admin/auth/user/reauth_change_password.html"
    actions = ["reset_two_factor"]

    @property
    def change_password_form(self) -> Any:
        return functools.partial(StaffPasswordChangeForm, staff=_staff_member.get())

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        token = _staff_member.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _staff_member.reset(token)

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


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), PortalUserAdmin)


@admin.register(UserProfile)
class UserProfileAdmin(ReadOnlyAdmin):
    """Only the user themself changes their settings (core.services.profile_update)."""

    list_display = ["user", "time_zone", "phone", "chat_handle"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["channel", "address", "ok", "error", "worker", "started_at", "finished_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "addressee", "status", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["status"]
    list_select_related = ["to_user", "to_role", "to_contact"]
    search_fields = ["subject", "dedup_key"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    inlines = [DeliveryAttemptInline]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry delivery now", permissions=["change"])
    def retry_now(self, request, queryset):
        sent = [outbox.requeue(message_id=pk) for pk in queryset.values_list("pk", flat=True)]
        self.message_user(request, f"{sum(sent)} message(s) queued again.", messages.SUCCESS)


@admin.register(TaskProgress)
class TaskProgressAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "owner", "status", "percent", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["owner"]
    readonly_fields = [f.name for f in TaskProgress._meta.fields]


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyAdmin):
    """The account events log: read-only, never edited or deleted."""

    list_display = ["at", "kind", "user", "actor", "source"]
    list_filter = ["kind", "source"]
    list_select_related = ["user", "actor"]
    search_fields = ["user__username", "actor__username", "request_id"]
    date_hierarchy = "at"
    show_full_result_count = False
