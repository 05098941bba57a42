"""The engine's answers written as obligations: created, updated, not applicable, never deleted."""

from __future__ import annotations

import datetime as dt

import pytest

from bcp_portal.core.models import OutboxMessage
from compliance import notifications
from compliance.models_notifications import Obligation
from tests.compliance.notifications.helpers import DETECTED, incident, result

pytestmark = pytest.mark.django_db


def history_rows() -> int:
    return Obligation.history.count()


def test_a_required_result_creates_an_open_obligation_and_tells_the_dpo(engine):
    inc = incident()
    engine.set(result())
    counts = notifications.obligations_evaluate(incident=inc)
    assert counts == {"created": 1, "updated": 0, "not_applicable": 0, "unchanged": 0}
    ob = Obligation.objects.get()
    assert (ob.regime_key, ob.stage_key, ob.status) == ("gdpr", "sa", Obligation.Status.OPEN)
    assert ob.due_at == DETECTED + dt.timedelta(hours=72)
    message = OutboxMessage.objects.get(dedup_key=f"obligation-started:{ob.pk}")
    assert message.to_role.name == "DPO" and inc.reference in message.subject


def test_a_breach_judged_unlikely_to_risk_creates_no_obligation(engine):
    inc = incident()
    engine.set(result(required=False, due_at=None))
    counts = notifications.obligations_evaluate(incident=inc)
    assert counts["created"] == 0
    assert not Obligation.objects.exists()


def test_evaluating_twice_writes_no_history_and_no_outbox_rows(engine):
    inc = incident()
    engine.set(result(), result(stage="subjects", stage_name="Data subjects", due_at=None))
    notifications.obligations_evaluate(incident=inc)
    history, outbox = history_rows(), OutboxMessage.objects.count()
    counts = notifications.obligations_evaluate(incident=inc)
    assert counts == {"created": 0, "updated": 0, "not_applicable": 0, "unchanged": 2}
    assert history_rows() == history
    assert OutboxMessage.objects.count() == outbox


def test_a_changed_due_time_updates_the_row_and_keeps_its_history(engine):
    inc = incident()
    engine.set(result())
    notifications.obligations_evaluate(incident=inc)
    later = DETECTED + dt.timedelta(hours=75)
    engine.set(result(due_at=later, anchor_at=DETECTED + dt.timedelta(hours=3)))
    counts = notifications.obligations_evaluate(incident=inc)
    assert counts["updated"] == 1
    ob = Obligation.objects.get()
    assert ob.due_at == later
    dues = list(ob.history.order_by("history_date").values_list("due_at", flat=True))
    assert dues == [DETECTED + dt.timedelta(hours=72), later]


def test_a_result_no_longer_required_marks_the_obligation_not_applicable_with_its_reason(engine):
    inc = incident()
    engine.set(result())
    notifications.obligations_evaluate(incident=inc)
    engine.set(result(required=False, reason="Judged unlikely to result in a risk."))
    counts = notifications.obligations_evaluate(incident=inc)
    assert counts["not_applicable"] == 1
    ob = Obligation.objects.get()
    assert ob.status == Obligation.Status.NOT_APPLICABLE
    assert ob.status_reason == "Judged unlikely to result in a risk."


def test_a_vanished_result_marks_the_obligation_not_applicable_never_deleting_it(engine):
    inc = incident()
    engine.set(result())
    notifications.obligations_evaluate(incident=inc)
    engine.set()
    counts = notifications.obligations_evaluate(incident=inc)
    assert counts["not_applicable"] == 1
    ob = Obligation.objects.get()
    assert ob.status == Obligation.Status.NOT_APPLICABLE and "No longer applies" in (
        ob.status_reason
    )
    assert notifications.obligations_evaluate(incident=inc)["unchanged"] == 1


def test_an_obligation_required_again_opens_again(engine):
    inc = incident()
    engine.set(result())
    notifications.obligations_evaluate(incident=inc)
    engine.set(result(required=False))
    notifications.obligations_evaluate(incident=inc)
    engine.set(result())
    notifications.obligations_evaluate(incident=inc)
    ob = Obligation.objects.get()
    assert ob.status == Obligation.Status.OPEN and ob.status_reason.startswith("Applies again")
    # One "clock started" message only: the obligation is the same one.
    assert OutboxMessage.objects.filter(dedup_key__startswith="obligation-started").count() == 1


def test_a_submitted_obligation_keeps_its_status_when_no_longer_required(engine):
    from tests.compliance.notifications.helpers import person

    inc = incident()
    engine.set(result())
    notifications.obligations_evaluate(incident=inc)
    notifications.submission_record(
        actor=person("DPO"),
        obligation=Obligation.objects.get(),
        submitted_at=DETECTED + dt.timedelta(hours=1),
        recipient="CNIL",
    )
    engine.set()
    notifications.obligations_evaluate(incident=inc)
    assert Obligation.objects.get().status == Obligation.Status.SUBMITTED


def test_two_results_for_one_stage_keep_the_required_one(engine):
    inc = incident()
    engine.set(result(required=False, entity="Acme Inc."), result(entity="Acme SAS"))
    notifications.obligations_evaluate(incident=inc)
    assert Obligation.objects.get().entity == "Acme SAS"


def test_a_text_longer_than_its_column_is_cut_rather_than_refused(engine):
    inc = incident()
    engine.set(result(notify="x" * 900))
    notifications.obligations_evaluate(incident=inc)
    assert len(Obligation.objects.get().notify) == 500


def test_evaluating_reads_a_fixed_number_of_queries_whatever_the_obligations(
    engine, django_assert_max_num_queries
):
    inc = incident()
    many = [result(stage=f"s{i}") for i in range(12)]
    engine.set(*many)
    notifications.obligations_evaluate(incident=inc)
    with django_assert_max_num_queries(9):  # 8, and whether it has affected services
        notifications.obligations_evaluate(incident=inc)
