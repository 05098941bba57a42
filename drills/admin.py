from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from drills.models import (
    CalendarFeedToken,
    Drill,
    DrillIssue,
    DrillReport,
    DrillSchedule,
    DrillType,
    RecoveryStep,
)


@admin.register(DrillType)
class DrillTypeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "key", "default_duration_minutes", "participant_teams", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "key"]


@admin.register(DrillSchedule)
class DrillScheduleAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "cadence", "week_of_month", "weekday", "start_time", "is_active"]
    list_filter = ["cadence", "is_active", "drill_type"]
    list_select_related = ["drill_type"]


@admin.register(Drill)
class DrillAdmin(SimpleHistoryAdmin):
    list_display = ["title", "drill_type", "starts_at", "status", "edited_by_person"]
    list_filter = ["status", "drill_type", "edited_by_person"]
    list_select_related = ["drill_type"]
    search_fields = ["title", "scenario"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["participants"]

    def save_model(self, request, obj, form, change):
        # A person's edit here, as in the portal, protects the drill from regeneration.
        if change and form.changed_data:
            obj.edited_by_person = True
        super().save_model(request, obj, form, change)


class RecoveryStepInline(admin.TabularInline):
    model = RecoveryStep
    extra = 0


class DrillIssueInline(admin.TabularInline):
    model = DrillIssue
    extra = 0


@admin.register(DrillReport)
class DrillReportAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "drill", "drill_date", "status", "revision", "overall_result"]
    list_filter = ["status", "overall_result", "drill__drill_type"]
    list_select_related = ["drill", "drill__drill_type"]
    search_fields = ["scenario", "summary", "drill__title"]
    inlines = [RecoveryStepInline, DrillIssueInline]

    # Reports are filed, submitted and revised in the portal, where completeness is checked
    # and revisions are recorded: the admin only shows them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(SimpleHistoryAdmin):
    list_display = ["prefix", "user", "scope", "created_at", "revoked_at", "last_used_at"]
    list_select_related = ["user"]
    readonly_fields = ["token_hash", "prefix"]
