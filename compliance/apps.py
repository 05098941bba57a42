from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        from compliance import matrix, signables

        post_migrate.connect(matrix.load_after_migrate, sender=self)
        # The notification regimes of the data file, a row each (compliance.regime_loader).
        from compliance import regime_loader

        post_migrate.connect(regime_loader.load_after_migrate, sender=self)
        signables.register_all()
        # The break-glass copy of the contact directory and on-call rota follows their
        # changes (contacts and incidents sit below compliance and do not import it).
        from compliance import breakglass_directory

        breakglass_directory.connect_signals()
        # The notification clocks follow an incident's changes and the legal entities'.
        from compliance import notification_hooks

        notification_hooks.connect()
        # A competent authority names the regimes it receives: the catalogue (which cannot
        # import compliance) checks them against the regimes data file's keys.
        from bcp_portal.catalogue import regulatory
        from compliance.deadlines.regimes import load_regimes

        regulatory.register_regime_keys(lambda: {r.key for r in load_regimes()})
