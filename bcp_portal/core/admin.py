from django.contrib import admin, messages

from bcp_portal.core import outbox
from bcp_portal.core.admin_base import ReadOnlyAdmin
from bcp_portal.core.models import (
    AccountEvent,
    DeliveryAttempt,
    OutboxMessage,
    TaskProgress,
    UserProfile,
)


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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        # Held by the roles that may requeue mail (core.change_outboxmessage, roles.json).
        return request.user.has_perm("core.change_outboxmessage")

    @admin.action(description="Retry delivery now", permissions=["retry"])
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
