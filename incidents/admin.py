from django.contrib import admin

from bcp_portal.core.admin_base import ReadOnlyAdmin
from incidents.models import PostMortem


@admin.register(PostMortem)
class PostMortemAdmin(ReadOnlyAdmin):
    """Shown only: post-mortems have no services or pages yet; they will write through them."""

    list_display = ["incident_reference", "title", "incident_date", "status"]
    list_filter = ["status"]
    search_fields = ["incident_reference", "title", "root_cause"]
    date_hierarchy = "incident_date"


# On-call and escalation (issue #10): their admins live in their own module.
from incidents import oncall_admin  # noqa: E402, F401
