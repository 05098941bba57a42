from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "bcp_portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from bcp_portal import audit, checks, signals  # noqa: F401

        pre_create_historical_record.connect(audit.fill_history_row)
        post_migrate.connect(signals.after_migrate, sender=self)
