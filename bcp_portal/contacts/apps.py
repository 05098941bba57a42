from django.apps import AppConfig


class ContactsConfig(AppConfig):
    """The contact directory: people who are not users (executives, vendors, authorities)."""

    name = "bcp_portal.contacts"
    label = "contacts"
    verbose_name = "Contact directory"
