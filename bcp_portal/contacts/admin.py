from django.contrib import admin

from bcp_portal.contacts.forms import ContactForm
from bcp_portal.contacts.models import Contact
from bcp_portal.contacts.services import contact_create, contact_update
from bcp_portal.core.admin_base import ServiceBackedAdmin


@admin.register(Contact)
class ContactAdmin(ServiceBackedAdmin):
    """Added and changed through the directory's services, as on its pages."""

    list_display = ["name", "kind", "organisation", "role_title", "email", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "organisation", "email", "role_title"]
    fields = ContactForm.Meta.fields

    def service_create(self, *, actor, fields):
        return contact_create(actor=actor, **fields)

    def service_update(self, *, actor, obj, fields):
        return contact_update(actor=actor, contact=obj, **fields)
