from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from bcp_portal.actions.models import Action
from bcp_portal.actions.sources import describe, select_related_paths


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "owner", "due_date", "status", "priority", "source_label"]
    list_filter = ["status", "priority", "source_kind"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["owner"]
    date_hierarchy = "due_date"
    # Status moves only through action_transition (the portal's buttons); the source is
    # fixed when the action is created.
    readonly_fields = ["status", "completed_at", "source_label"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner", *select_related_paths())

    @admin.display(description="source")
    def source_label(self, action: Action) -> str:
        ref = describe(action)
        return ref.label if ref else "—"
