from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from bcp_portal.core.admin_base import ReadOnlyAdmin, ReadOnlyInline, ServiceBackedAdmin
from bcp_portal.core.credentials import may_revoke_credentials
from drills.models import (
    CalendarFeedToken,
    Drill,
    DrillIssue,
    DrillReport,
    DrillSchedule,
    DrillType,
    RecoveryStep,
)
from drills.services.feeds import calendar_tokens_revoke_as_admin
from drills.services.planning import (
    DRILL_EDITABLE_FIELDS,
    SCHEDULE_FIELDS,
    drill_cancel,
    drill_create,
    drill_schedule_create,
    drill_schedule_update,
    drill_update,
)


@admin.register(DrillType)
class DrillTypeAdmin(ReadOnlyAdmin):
    """Loaded from the reference data; no service writes drill types yet, so only shown."""

    list_display = ["name", "key", "default_duration_minutes", "participant_teams", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "key"]


@admin.register(DrillSchedule)
class DrillScheduleAdmin(ServiceBackedAdmin):
    """Through drill_schedule_create/update, which replan the schedule's untouched drills.

    A schedule is retired by unticking "is active" (its future untouched drills go), never
    deleted.
    """

    list_display = ["__str__", "cadence", "week_of_month", "weekday", "start_time", "is_active"]
    list_filter = ["cadence", "is_active", "drill_type"]
    list_select_related = ["drill_type"]
    fields = SCHEDULE_FIELDS

    def service_create(self, *, actor, fields):
        return drill_schedule_create(actor=actor, **fields)

    def service_update(self, *, actor, obj, fields):
        return drill_schedule_update(actor=actor, schedule=obj, **fields)


DRILL_SHOWN_FIELDS = ("drill_type", "schedule", "occurrence_date", "status", "edited_by_person")


@admin.register(Drill)
class DrillAdmin(ServiceBackedAdmin):
    """Added through drill_create, changed through drill_update (which marks the drill as a
    person's edit, so regeneration leaves it alone), cancelled through drill_cancel."""

    list_display = ["title", "drill_type", "starts_at", "status", "edited_by_person"]
    list_filter = ["status", "drill_type", "edited_by_person"]
    list_select_related = ["drill_type"]
    # The shown columns; the checkbox's label is str(drill): title and start.
    list_only = (
        "title",
        "drill_type",
        "drill_type__name",
        "starts_at",
        "status",
        "edited_by_person",
    )
    search_fields = ["title", "scenario"]
    # No date_hierarchy: its year list is a DISTINCT over the whole table on every page;
    # the list sorts by starts_at and the portal's own lists filter by date.
    ordering = ["-starts_at", "-pk"]
    autocomplete_fields = ["participants"]
    actions = ["cancel_drills"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("drill_type", *DRILL_EDITABLE_FIELDS, "participants")
        return (*DRILL_EDITABLE_FIELDS, "participants", *DRILL_SHOWN_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        return DRILL_SHOWN_FIELDS if obj is not None else ()

    def service_create(self, *, actor, fields):
        return drill_create(actor=actor, **fields)

    def service_update(self, *, actor, obj, fields):
        return drill_update(actor=actor, drill=obj, **fields)

    @admin.action(description="Cancel the selected planned drills", permissions=["change"])
    def cancel_drills(self, request, queryset):
        cancelled, refused = 0, []
        for drill in queryset.order_by("starts_at"):
            try:
                drill_cancel(actor=request.user, drill=drill)
            except (PermissionDenied, ValidationError) as exc:
                refused.append(f"{drill}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
            else:
                cancelled += 1
        if cancelled:
            self.message_user(request, f"{cancelled} drill(s) cancelled.", messages.SUCCESS)
        for reason in refused:
            self.message_user(request, reason, messages.ERROR)


class RecoveryStepInline(ReadOnlyInline):
    model = RecoveryStep


class DrillIssueInline(ReadOnlyInline):
    model = DrillIssue


@admin.register(DrillReport)
class DrillReportAdmin(ReadOnlyAdmin):
    """Filed, submitted and revised in the portal, where completeness is checked and
    revisions are recorded: the admin only shows them."""

    list_display = ["__str__", "drill", "drill_date", "status", "revision", "overall_result"]
    list_filter = ["status", "overall_result", "drill__drill_type"]
    # str(drill) is its title and start; the drill type is a filter, not a column.
    list_select_related = ["drill"]
    list_only = (
        "drill",
        "drill__title",
        "drill__starts_at",
        "drill_date",
        "status",
        "revision",
        "overall_result",
    )
    search_fields = ["scenario", "summary", "drill__title"]
    inlines = [RecoveryStepInline, DrillIssueInline]


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(ReadOnlyAdmin):
    """Created and revoked by their owner on the calendar page (calendar_token_revoke); no
    one edits one here (a revoked feed brought back, or moved to someone else). The one
    write is "Revoke" (calendar_tokens_revoke_as_admin, recorded on the owner's account)."""

    list_display = ["prefix", "user", "scope", "created_at", "revoked_at", "last_used_at"]
    list_select_related = ["user"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    exclude = ["token_hash"]
    actions = ["revoke"]

    def has_revoke_permission(self, request):
        return may_revoke_credentials(request.user)

    @admin.action(description="Revoke the selected calendar feeds", permissions=["revoke"])
    def revoke(self, request, queryset):
        count = calendar_tokens_revoke_as_admin(
            actor=request.user, tokens=queryset.select_related("user")
        )
        self.message_user(request, f"{count} calendar feed(s) revoked.", messages.SUCCESS)
