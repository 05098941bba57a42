from django.contrib import admin, messages
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from bcp_portal.core import outbox
from bcp_portal.core.admin_base import ReadOnlyAdmin, ShownOnlyAdmin
from bcp_portal.core.api.services import api_token_label, api_tokens_revoke_as_admin
from bcp_portal.core.credentials import may_revoke_credentials
from bcp_portal.core.models import (
    AccountEvent,
    DeliveryAttempt,
    InboxItem,
    NotificationTarget,
    OutboxMessage,
    SignOff,
    TaskProgress,
    UserProfile,
)

# django-otp's own admins show TOTP keys (and QR codes) and backup codes to staff: a staff
# member could copy someone's second factor. Devices are managed by their owner only;
# staff may reset them (core.admin_users), never read them.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


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
    readonly_fields = [
        "channel",
        "address",
        "recipient",
        "ok",
        "error",
        "worker",
        "started_at",
        "finished_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    """Signatures are made only through the signing service (core.signing.sign), after
    re-authentication, and voided only by it: the admin shows them."""

    list_display = ["subject_label", "role", "signer", "decision", "signed_at", "voided_at"]
    list_filter = ["purpose", "decision", "role"]
    list_select_related = ["signer"]
    search_fields = ["subject_label", "signer__username", "content_sha256"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ShownOnlyAdmin):
    """Read-only: what was queued and how delivery went; the one write is "retry now".

    No row holds a secret (a message that carries one is rendered at delivery, see
    `core.outbox`), and none can be edited: a changed address or link would send someone
    else's mail where staff chose.
    """

    list_display = [
        "subject",
        "kind",
        "addressee",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["to_user", "to_role", "to_contact"]
    search_fields = ["subject", "dedup_key"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    inlines = [DeliveryAttemptInline]
    actions = ["retry_now"]

    def has_retry_permission(self, request):
        # Held by the roles that may requeue mail (core.change_outboxmessage, roles.json).
        return request.user.has_perm("core.change_outboxmessage")

    @admin.action(description="Retry delivery now", permissions=["retry"])
    def retry_now(self, request, queryset):
        sent = [outbox.requeue(message_id=pk) for pk in queryset.values_list("pk", flat=True)]
        self.message_user(request, f"{sum(sent)} message(s) queued again.", messages.SUCCESS)


@admin.register(NotificationTarget)
class NotificationTargetAdmin(ReadOnlyAdmin):
    """Shown only, and never its secret: the SRE Lead sets targets on the Notifications page
    (core.channels.services), which checks the address."""

    list_display = ["name", "kind", "url", "enabled", "updated_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name"]
    fields = ("name", "kind", "url", "enabled", "created_at", "updated_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("secret")


@admin.register(InboxItem)
class InboxItemAdmin(ShownOnlyAdmin):
    """In-app deliveries, shown: each person reads and marks their own on the inbox page."""

    list_display = ["subject", "user", "created_at", "read_at"]
    list_select_related = ["user"]
    search_fields = ["subject", "user__username"]
    readonly_fields = [f.name for f in InboxItem._meta.fields]


@admin.register(TaskProgress)
class TaskProgressAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "owner", "status", "percent", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["owner"]
    readonly_fields = [f.name for f in TaskProgress._meta.fields]


@admin.register(AccountEvent)
class AccountEventAdmin(ShownOnlyAdmin):
    """The account events log: read-only, never edited or deleted."""

    list_display = ["at", "kind", "user", "actor", "source"]
    list_filter = ["kind", "source"]
    list_select_related = ["user", "actor"]
    search_fields = ["user__username", "actor__username", "request_id"]
    date_hierarchy = "at"


# knox registers an admin that mints a token for any user (and shows it): a way into every
# account. Ours only shows tokens, by prefix, and revokes them.
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class ApiTokenAdmin(ShownOnlyAdmin):
    """API tokens, read-only: no add, no change of owner or expiry; "Revoke" is the one
    write (core.api.services.api_tokens_revoke_as_admin, recorded on the owner's account)."""

    list_display = ["label", "user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["token_key", "user__username"]
    fields = ("label", "user", "created", "expiry")
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description="Token")
    def label(self, obj: AuthToken) -> str:
        return api_token_label(obj)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return may_revoke_credentials(request.user)

    @admin.action(description="Revoke the selected API tokens", permissions=["revoke"])
    def revoke(self, request, queryset):
        count = api_tokens_revoke_as_admin(
            actor=request.user, tokens=queryset.select_related("user")
        )
        self.message_user(request, f"{count} API token(s) revoked.", messages.SUCCESS)


# Django's user admin with offboarding (registered on import).
from bcp_portal.core import admin_users  # noqa: E402,F401
