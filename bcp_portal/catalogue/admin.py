from django.contrib import admin

from bcp_portal.catalogue.models import (
    CompetentAuthority,
    LegalEntity,
    OrganisationProfile,
    Service,
)
from bcp_portal.catalogue.services import (
    AUTHORITY_FIELDS,
    EDITABLE_FIELDS,
    LEGAL_ENTITY_FIELDS,
    PROFILE_FIELDS,
    competent_authority_create,
    competent_authority_update,
    legal_entity_create,
    legal_entity_update,
    organisation_profile_update,
    service_create,
    service_update,
)
from bcp_portal.core.admin_base import ServiceBackedAdmin


@admin.register(Service)
class ServiceAdmin(ServiceBackedAdmin):
    """Added and changed through the catalogue's services, as on its pages."""

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
    fields = EDITABLE_FIELDS

    def service_create(self, *, actor, fields):
        return service_create(actor=actor, **fields)

    def service_update(self, *, actor, obj, fields):
        return service_update(actor=actor, service=obj, **fields)


@admin.register(OrganisationProfile)
class OrganisationProfileAdmin(ServiceBackedAdmin):
    """The one profile (created on first use) changes through organisation_profile_update."""

    list_display = ["name", "rto_target_minutes", "rpo_target_minutes", "time_zone"]
    fields = PROFILE_FIELDS

    def service_update(self, *, actor, obj, fields):
        return organisation_profile_update(actor=actor, profile=obj, **fields)


@admin.register(LegalEntity)
class LegalEntityAdmin(ServiceBackedAdmin):
    """The organisation's legal entities, through legal_entity_create/update (the
    notification clocks read them: which regimes apply, whose holidays count)."""

    list_display = ["name", "registration", "time_zone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "registration"]
    list_only = ("name", "registration", "time_zone", "is_active")
    fields = LEGAL_ENTITY_FIELDS

    def service_create(self, *, actor, fields):
        return legal_entity_create(actor=actor, **fields)

    def service_update(self, *, actor, obj, fields):
        return legal_entity_update(actor=actor, entity=obj, **fields)


@admin.register(CompetentAuthority)
class CompetentAuthorityAdmin(ServiceBackedAdmin):
    """The authorities the organisation notifies, through competent_authority_create/update."""

    list_display = ["name", "jurisdiction", "email", "phone", "is_active"]
    list_filter = ["jurisdiction", "is_active"]
    search_fields = ["name", "email", "notes"]
    list_only = ("name", "jurisdiction", "email", "phone", "is_active")
    fields = AUTHORITY_FIELDS

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "portal_url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def service_create(self, *, actor, fields):
        return competent_authority_create(actor=actor, **fields)

    def service_update(self, *, actor, obj, fields):
        return competent_authority_update(actor=actor, authority=obj, **fields)
