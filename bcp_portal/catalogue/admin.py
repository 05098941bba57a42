from django.contrib import admin

from bcp_portal.catalogue.models import OrganisationProfile, Service
from bcp_portal.catalogue.services import (
    EDITABLE_FIELDS,
    PROFILE_FIELDS,
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
