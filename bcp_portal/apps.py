from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The wiring: URLs, the API router, navigation, dashboard and the demo command."""

    name = "bcp_portal"
    verbose_name = "Portal"
