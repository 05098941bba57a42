"""What moves an incident's clocks from outside `compliance`, connected from its ready().

`incidents` sits below `compliance` and must not import it, so `compliance` listens to the
incident's post_save: after the change commits, the task `compliance.obligations_evaluate`
evaluates that incident again (a bounded publish: a dead broker never fails the incident's
write; the sweep in `notification_reminders` catches what was not published). A change of a
legal entity of the organisation, or of a regime's row (switched on or off in the admin, an
internal rule's parameters edited, a new version of the data file loaded), can bring regimes
in or out for every open incident: it enqueues `compliance.obligations_evaluate_open`. A
regime's row being created (the data file loaded after a migrate) enqueues nothing: no
incident's clocks depend on a regime the database has just learnt of that the engine did not
already evaluate. Evaluating is idempotent, so a change that
saves twice costs two identical evaluations, never a wrong clock.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from bcp_portal.catalogue.models import LegalEntity
from bcp_portal.core.tasking import publish
from compliance.models_notifications import NotificationRegime
from incidents.models import Incident


def _incident_saved(sender: Any, instance: Incident, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    from compliance.tasks import obligations_evaluate

    pk = instance.pk
    transaction.on_commit(lambda: publish(obligations_evaluate, incident_id=pk))


def _entity_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or (sender is NotificationRegime and kwargs.get("created")):
        return
    from compliance.tasks import obligations_evaluate_open

    transaction.on_commit(lambda: publish(obligations_evaluate_open))


def connect() -> None:
    post_save.connect(_incident_saved, sender=Incident, dispatch_uid="obligations-incident")
    post_save.connect(_entity_saved, sender=LegalEntity, dispatch_uid="obligations-entity")
    post_save.connect(_entity_saved, sender=NotificationRegime, dispatch_uid="obligations-regime")
