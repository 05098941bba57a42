from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from bcp_portal.contacts.models import Contact


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "organisation", "role_title", "email", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "organisation", "email", "role_title"]
