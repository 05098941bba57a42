from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from bcp_portal.actions import sources
        from incidents import signables
        from incidents.models import POSTMORTEM_SOURCE, PostMortem, PostMortemAction
        from incidents.services.postmortems import postmortem_refuses_action

        post_migrate.connect(load_reference_data, sender=self)
        # On-call and escalation (issue #10 item 4): pages are rendered at delivery, so
        # their acknowledgement link is never stored.
        from bcp_portal.core import outbox
        from incidents import acknowledgement, escalation

        outbox.register_renderer(escalation.PAGE_KIND, acknowledgement.render_page)
        from bcp_portal.core import offboarding
        from incidents.services import oncall_offboarding

        offboarding.register(
            offboarding.Handover(
                key="oncall",
                label="On-call rotation places and coming overrides",
                count=oncall_offboarding.oncall_held_by,
                hand_over=oncall_offboarding.oncall_hand_over,
            )
        )
        sources.register(
            sources.ActionSource(
                kind=POSTMORTEM_SOURCE,
                label="Post-mortem",
                plural="Post-mortems",
                link_model=PostMortemAction,
                source_field="postmortem",
                describe=lambda pm: f"Post-mortem {pm.incident.reference}: {pm.title}",
                url=lambda pm: pm.get_absolute_url(),
                related=("incident",),
                fields=("incident__reference", "title"),
                refuse_add=postmortem_refuses_action,
                is_draft=lambda pm: pm.status != PostMortem.Status.PUBLISHED,
            )
        )
        signables.register_all()
        # The DR metrics' summary follows the targets it is measured against.
        from incidents import metric_summary

        metric_summary.connect()


def load_reference_data(sender, using: str = "default", **kwargs) -> None:
    """After every migrate: the incident types of the reference file."""
    from bcp_portal.core.dbstate import app_fully_migrated

    if not app_fully_migrated("incidents", using):
        return
    from incidents.services.reference import communication_matrix_load, incident_types_load

    incident_types_load(using=using)
    communication_matrix_load(using=using)
