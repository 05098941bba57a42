from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from bcp_portal.actions import sources
        from incidents.models import POSTMORTEM_SOURCE, PostMortemAction

        sources.register(
            sources.ActionSource(
                kind=POSTMORTEM_SOURCE,
                label="Post-mortem",
                plural="Post-mortems",
                link_model=PostMortemAction,
                source_field="postmortem",
                describe=str,
                fields=("incident_reference", "title"),
            )
        )
