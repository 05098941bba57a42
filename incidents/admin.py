from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from incidents.models import PostMortem


@admin.register(PostMortem)
class PostMortemAdmin(SimpleHistoryAdmin):
    list_display = ["incident_reference", "title", "incident_date", "status"]
    list_filter = ["status"]
    search_fields = ["incident_reference", "title", "root_cause"]
    date_hierarchy = "incident_date"
