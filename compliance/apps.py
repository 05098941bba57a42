from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        from compliance import matrix, signables

        post_migrate.connect(matrix.load_after_migrate, sender=self)
        signables.register_all()
