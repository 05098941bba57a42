from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """The machinery every app stands on: people settings, the outbox, task progress."""

    name = "bcp_portal.core"
    label = "core"
    verbose_name = "Portal machinery"

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from bcp_portal.core import audit, checks, sessions, signals  # noqa: F401

        pre_create_historical_record.connect(audit.fill_history_row)
        post_migrate.connect(signals.after_migrate, sender=self)
