from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from bcp_portal.catalogue.models import Service


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
