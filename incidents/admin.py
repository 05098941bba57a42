from django.contrib import admin

from bcp_portal.core.admin_base import ReadOnlyAdmin, ReadOnlyInline, ShownOnlyAdmin
from incidents.models import IntakeAlert, IntakeMapping, IntakeSource, PostMortem


@admin.register(PostMortem)
class PostMortemAdmin(ReadOnlyAdmin):
    """Shown only: post-mortems have no services or pages yet; they will write through them."""

    list_display = ["incident_reference", "title", "incident_date", "status"]
    list_filter = ["status"]
    search_fields = ["incident_reference", "title", "root_cause"]
    date_hierarchy = "incident_date"


# --- Alert intake (incidents/models_intake.py) ---------------------------------------------


class IntakeMappingInline(ReadOnlyInline):
    model = IntakeMapping
    fields = ["position", "label", "value", "severity", "service", "incident_type"]


@admin.register(IntakeSource)
class IntakeSourceAdmin(ReadOnlyAdmin):
    """Created (token shown once), revoked and mapped on the intake pages, through
    `incidents.services.intake_sources`: the admin only shows them, never the token's hash."""

    list_display = ["name", "kind", "prefix", "default_incident_type", "created_at", "revoked_at"]
    list_filter = ["kind", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["default_incident_type"]
    search_fields = ["name", "prefix"]
    exclude = ["token_hash"]
    inlines = [IntakeMappingInline]


@admin.register(IntakeAlert)
class IntakeAlertAdmin(ShownOnlyAdmin):
    """What monitors sent, as received: operational rows, never changed."""

    list_display = ["title", "status", "fingerprint", "severity", "incident", "received_at"]
    list_filter = ["status", "severity"]
    list_select_related = ["incident"]
    search_fields = ["fingerprint", "title"]
    raw_id_fields = ["incident", "group"]
