from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from incidents.models import Action, PostMortem, Service


@admin.register(Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "kind",
        "recovery_priority",
        "business_impact",
        "region",
        "rto_target_minutes",
        "rpo_target_minutes",
        "is_active",
    ]
    list_filter = ["kind", "recovery_priority", "business_impact", "is_active"]
    search_fields = ["name", "description", "owner_team", "region", "data_category"]


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "owner", "due_date", "status", "priority", "drill_report"]
    list_filter = ["status", "priority"]
    list_select_related = ["owner", "drill_report"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["owner"]
    date_hierarchy = "due_date"
    # Status moves only through action_transition (the portal's buttons); the source is
    # fixed when the action is created.
    readonly_fields = ["status", "completed_at", "drill_report", "postmortem"]

    def has_add_permission(self, request):
        return False


@admin.register(PostMortem)
class PostMortemAdmin(SimpleHistoryAdmin):
    list_display = ["incident_reference", "title", "incident_date", "status"]
    list_filter = ["status"]
    search_fields = ["incident_reference", "title", "root_cause"]
    date_hierarchy = "incident_date"
