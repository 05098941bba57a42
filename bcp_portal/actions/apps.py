from django.apps import AppConfig


class ActionsConfig(AppConfig):
    """The one action tracker; source apps register themselves in `actions.sources`."""

    name = "bcp_portal.actions"
    label = "actions"
    verbose_name = "Action tracker"

    def ready(self) -> None:
        from bcp_portal.actions import services
        from bcp_portal.core import offboarding

        offboarding.register(
            offboarding.Handover(
                key="actions",
                label="Unfinished actions they own",
                count=services.actions_held_by,
                hand_over=services.actions_hand_over,
            )
        )
