from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """The machinery every app stands on: people settings, the outbox, task progress."""

    name = "bcp_portal.core"
    label = "core"
    verbose_name = "Portal machinery"

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from bcp_portal.core import (  # noqa: F401
            audit,
            checks,
            credentials,
            outbox,
            passwords,
            sessions,
            signals,
        )
        from bcp_portal.core.api import services as api_services

        pre_create_historical_record.connect(audit.fill_history_row)
        outbox.register_renderer(passwords.PASSWORD_RESET_KIND, passwords.render_password_reset)
        # The outbox's channels besides email (docs/notifications.md).
        from bcp_portal.core.channels import inapp, pagerduty, webhook

        outbox.CHANNELS.update({"inapp": inapp.send, "webhook": webhook.send})
        outbox.CHANNELS["pagerduty"] = pagerduty.send
        credentials.register(
            credentials.CredentialKind(
                key=api_services.API_TOKEN,
                label="API tokens",
                active=api_services.api_tokens_active,
                revoke_all=api_services.api_tokens_revoke_all,
            )
        )
        passwords.connect_signals()
        post_migrate.connect(signals.after_migrate, sender=self)
