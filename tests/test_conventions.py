"""Project conventions as tests, each with a check that it can fail.

Historised models are never changed with QuerySet.update() or bulk_update(): history would
miss the change, and the audit trail with it.
"""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

APP_DIRS = ("bcp_portal", "incidents", "drills", "compliance")
APP_LABELS = ("core", "contacts", "catalogue", "actions", "incidents", "drills", "compliance")
FORBIDDEN = {"update", "bulk_update"}


def historised_model_names() -> set[str]:
    return {
        model.__name__
        for model in apps.get_models()
        if hasattr(model, "history") and not model.__name__.startswith("Historical")
    }


def _root_name(node: ast.AST) -> tuple[str | None, list[str]]:
    """The name a call chain starts from, and the attributes along the way."""
    attributes = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            attributes.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id, attributes
        else:
            return None, attributes


def queryset_writes(source: str, models: set[str]) -> list[int]:
    """Line numbers of `<HistorisedModel>.objects....update()` / `.bulk_update()` calls."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in FORBIDDEN
        ):
            root, attributes = _root_name(node.func.value)
            if root in models and ("objects" in attributes or node.func.attr == "bulk_update"):
                lines.append(node.lineno)
    return lines


def test_the_checker_catches_an_update_on_a_historised_model():
    source = (
        "Service.objects.filter(pk=1).update(name='x')\n"
        "Service.objects.bulk_update(rows, ['name'])\n"
        "OutboxMessage.objects.filter(pk=1).update(status='sent')\n"
    )
    assert queryset_writes(source, {"Service"}) == [1, 2]


def test_no_historised_model_is_written_with_queryset_update():
    models = historised_model_names()
    assert {"Service", "Drill", "DrillReport", "Action", "Contact"} <= models
    offenders = []
    for app in APP_DIRS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for line in queryset_writes(path.read_text(), models):
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{line}")
    assert offenders == [], "QuerySet.update()/bulk_update() on a historised model: " + ", ".join(
        offenders
    )


def test_every_domain_model_keeps_history():
    operational = {"OutboxMessage", "DeliveryAttempt", "TaskProgress"}
    # One-time form tokens and idempotency keys (bcp_portal.core.submissions), pruned weekly.
    operational |= {"SubmissionKey"}
    # Append-only: save() refuses to change a written row (tests/bcp_portal/test_account_events).
    operational |= {"AccountEvent"}
    # Where a published runbook's copy was written outside the portal, and each attempt: the
    # delivery record of the break-glass task, as DeliveryAttempt is the outbox's (the
    # version's own history says who published what).
    operational |= {"BreakGlassCopy"}
    # Alert intake: what monitors sent, appended as received (incidents/models_intake.py);
    # the incident's timeline, historised, records what each alert changed.
    operational |= {"AlertGroup", "IntakeAlert"}
    # A person's in-app inbox: a delivery record, read/unread flipped by a guarded update().
    operational |= {"InboxItem"}
    # DR metrics: sums and merged outages derived from the incidents (historised) by the
    # incident services in the same transaction, rebuilt whole by `rebuild_incident_metrics`
    # (incidents/models_metrics.py); a change to them is a change to an incident.
    operational |= {"IncidentMetricMonth", "ServiceOutageIsland"}
    missing = [
        f"{model._meta.app_label}.{model.__name__}"
        for app in APP_LABELS
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
        and model.__name__ not in operational
        and not hasattr(model, "history")
    ]
    assert missing == []
