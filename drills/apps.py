from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DrillsConfig(AppConfig):
    name = "drills"
    verbose_name = "Drills"

    def ready(self) -> None:
        from bcp_portal.actions import sources
        from bcp_portal.core import credentials, offboarding
        from drills.models import DRILL_REPORT_SOURCE, DrillReport, DrillReportAction
        from drills.services import feeds
        from drills.services import offboarding as drill_offboarding
        from drills.services.reports import report_refuses_action

        post_migrate.connect(load_reference_data, sender=self)
        credentials.register(
            credentials.CredentialKind(
                key=feeds.CALENDAR_FEED,
                label="Calendar feed links",
                active=feeds.calendar_tokens_active,
                revoke_all=feeds.calendar_tokens_revoke_all,
            )
        )
        offboarding.register(
            offboarding.Handover(
                key="planned_drills",
                label="Planned drills they take part in",
                count=drill_offboarding.planned_drills_held_by,
                hand_over=drill_offboarding.planned_drills_hand_over,
            )
        )
        offboarding.register(
            offboarding.Handover(
                key="draft_reports",
                label="Draft drill reports they write",
                count=drill_offboarding.draft_reports_held_by,
                hand_over=drill_offboarding.draft_reports_hand_over,
            )
        )
        sources.register(
            sources.ActionSource(
                kind=DRILL_REPORT_SOURCE,
                label="Drill report",
                plural="Drill reports",
                link_model=DrillReportAction,
                source_field="drill_report",
                related=("drill",),
                fields=("drill__title",),
                describe=lambda report: f"Drill report {report.document_id}: {report.drill.title}",
                url=lambda report: report.get_absolute_url(),
                refuse_add=report_refuses_action,
                is_draft=lambda report: report.status == DrillReport.Status.DRAFT,
                choices=lambda: DrillReport.objects.all(),
            )
        )


def load_reference_data(sender, using: str = "default", **kwargs) -> None:
    """After every migrate: the drill types and default schedules of the reference file."""
    from bcp_portal.core.dbstate import app_fully_migrated

    if not app_fully_migrated("drills", using):
        # Migrating backwards (or part way): the tables may not match the models yet.
        return
    from drills.services.reference import drill_reference_load

    drill_reference_load(using=using)
