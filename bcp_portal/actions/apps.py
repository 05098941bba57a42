from django.apps import AppConfig


class ActionsConfig(AppConfig):
    """The one action tracker; source apps register themselves in `actions.sources`."""

    name = "bcp_portal.actions"
    label = "actions"
    verbose_name = "Action tracker"
