from django.contrib import admin

from bcp_portal.core.admin_base import (
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceBackedAdmin,
    ShownOnlyAdmin,
)
from incidents.models import (
    CommunicationDraft,
    Incident,
    IncidentResponder,
    IncidentService,
    IncidentType,
    IntakeAlert,
    IntakeMapping,
    IntakeSource,
    PostMortem,
    PostMortemLesson,
    TimelineEntry,
)
from incidents.services.lifecycle import EDITABLE_FIELDS, incident_declare, incident_update
from incidents.services.reference import TYPE_EDITABLE_FIELDS, incident_type_update


@admin.register(IncidentType)
class IncidentTypeAdmin(ServiceBackedAdmin):
    """Reference data loaded from incidents/data/incident_types.json; the SRE Lead edits a
    type through incident_type_update (the loader adds missing keys, never overwrites).
    Types are not added here: a new scenario comes with the reference file."""

    list_display = ["name", "key", "expected_rto_minutes", "runbook_section", "is_active"]
    list_filter = ["is_active", "is_partial_degradation"]
    search_fields = ["name", "key"]
    fields = TYPE_EDITABLE_FIELDS

    def service_update(self, *, actor, obj, fields):
        return incident_type_update(actor=actor, incident_type=obj, **fields)


INCIDENT_SHOWN_FIELDS = ("reference", "status", "severity", "reopen_count")


@admin.register(Incident)
class IncidentAdmin(ServiceBackedAdmin):
    """Declared through incident_declare, changed through incident_update. Status and
    severity move on the incident's page (or the API), which write the timeline; services
    and responders are chosen there too (their links keep history of their own)."""

    list_display = ["reference", "title", "severity", "status", "incident_type", "detected_at"]
    list_filter = ["status", "severity", "incident_type", "business_impact"]
    list_select_related = ["incident_type"]
    search_fields = ["reference", "title", "description"]
    ordering = ["-detected_at", "-pk"]
    autocomplete_fields = ["commander"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("severity", *EDITABLE_FIELDS)
        return (*INCIDENT_SHOWN_FIELDS, *EDITABLE_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        return INCIDENT_SHOWN_FIELDS if obj is not None else ()

    def service_create(self, *, actor, fields):
        return incident_declare(actor=actor, **fields)

    def service_update(self, *, actor, obj, fields):
        return incident_update(actor=actor, incident=obj, **fields)


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ReadOnlyAdmin):
    """Written by the lifecycle and the incident page's quick entry; shown here."""

    list_display = ["at", "incident", "kind", "event", "owner"]
    list_filter = ["kind"]
    list_select_related = ["incident", "owner"]
    search_fields = ["event", "action_taken", "incident__reference"]
    ordering = ["-at", "-pk"]


@admin.register(IncidentService)
class IncidentServiceAdmin(ReadOnlyAdmin):
    """An incident's affected service: chosen on the incident's page (incident_update)."""

    list_display = ["incident", "service"]
    list_select_related = ["incident", "service"]
    search_fields = ["incident__reference", "service__name"]


@admin.register(IncidentResponder)
class IncidentResponderAdmin(ReadOnlyAdmin):
    """An incident's responder: chosen on the incident's page (incident_update)."""

    list_display = ["incident", "user"]
    list_select_related = ["incident", "user"]
    search_fields = ["incident__reference", "user__username", "user__last_name"]


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


class PostMortemLessonInline(ReadOnlyInline):
    model = PostMortemLesson


@admin.register(PostMortem)
class PostMortemAdmin(ReadOnlyAdmin):
    """Written, reviewed (the SRE Lead's signature, with re-authentication), published and
    revised on the portal's pages: the admin only shows them."""

    list_display = ["title", "incident", "status", "revision", "created_at"]
    list_filter = ["status"]
    list_select_related = ["incident"]
    search_fields = ["incident__reference", "title", "root_cause"]
    inlines = [PostMortemLessonInline]


@admin.register(CommunicationDraft)
class CommunicationDraftAdmin(ReadOnlyAdmin):
    """Drafted, edited and marked used on the incident's pages; what was used stays as it was."""

    list_display = ["subject", "incident", "kind", "created_at", "used_at"]
    list_filter = ["kind"]
    list_select_related = ["incident"]
    search_fields = ["incident__reference", "subject"]


# On-call and escalation (issue #10): their admins live in their own module.
from incidents import oncall_admin  # noqa: E402, F401
