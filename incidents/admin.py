from django.contrib import admin

from bcp_portal.core.admin_base import ReadOnlyAdmin
from incidents.models import PostMortem


@admin.register(PostMortem)
class PostMortemAdmin(ReadOnlyAdmin):
    list_display = ["title", "status"]
