from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    """What the business runs and what it may lose: services and the organisation profile."""

    name = "bcp_portal.catalogue"
    label = "catalogue"
    verbose_name = "Service catalogue"
