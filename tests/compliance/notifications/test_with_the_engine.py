"""The stored clocks end to end with the real engine and the regimes data file."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bcp_portal.catalogue.models import LegalEntity
from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core.models import OutboxMessage
from compliance import notifications
from compliance.deadlines import types
from compliance.models_notifications import IncidentFact, NotificationRegime, Obligation
from compliance.regime_loader import regimes_load
from tests.compliance.notifications.helpers import DETECTED, incident, person

pytestmark = pytest.mark.django_db

GDPR = "eu_gdpr_art33_art34"
DORA = "eu_dora_major_ict_incident"
NOW = DETECTED + dt.timedelta(hours=6)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def acme():
    return LegalEntity.objects.create(
        profile=organisation_profile(),
        name="Acme SAS",
        jurisdictions=["FR"],
        statuses=["gdpr_controller", "dora_financial_entity"],
        holiday_calendars=["FR"],
        time_zone="Europe/Paris",
    )


@pytest.fixture
def dpo():
    return person("DPO")


def risk(dpo, inc, level=types.RISK):
    notifications.fact_record(
        actor=dpo, incident=inc, kind=IncidentFact.GDPR_RISK, value=level, reason="Assessed."
    )


def gdpr_sa(inc) -> Obligation:
    return Obligation.objects.get(incident=inc, regime_key=GDPR, stage_key="supervisory_authority")


def test_a_personal_data_breach_runs_a_provisional_gdpr_clock_until_awareness_is_recorded(
    acme, dpo
):
    inc = incident(involves_personal_data=True)
    risk(dpo, inc)
    clock = gdpr_sa(inc)
    assert clock.status == Obligation.Status.OPEN
    assert clock.provisional and clock.due_at == DETECTED + dt.timedelta(hours=72)
    assert OutboxMessage.objects.filter(dedup_key=f"obligation-started:{clock.pk}").exists()

    aware = DETECTED + dt.timedelta(hours=3)
    notifications.fact_record(
        actor=dpo,
        incident=inc,
        kind=types.CONTROLLER_AWARENESS,
        occurred_at=aware,
        time_zone="Europe/Paris",
        reason="Told by the incident commander.",
    )
    clock.refresh_from_db()
    assert not clock.provisional and clock.due_at == aware + dt.timedelta(hours=72)
    assert clock.anchor_at == aware
    # Changing the fact moves the clock and keeps what it was.
    notifications.fact_record(
        actor=dpo,
        incident=inc,
        kind=types.CONTROLLER_AWARENESS,
        occurred_at=aware + dt.timedelta(hours=1),
        time_zone="Europe/Paris",
        reason="The first message was to the wrong team; the DPO knew an hour later.",
    )
    clock.refresh_from_db()
    assert clock.due_at == aware + dt.timedelta(hours=73)
    dues = list(clock.history.order_by("history_date").values_list("due_at", flat=True))
    assert dues == [
        DETECTED + dt.timedelta(hours=72),
        aware + dt.timedelta(hours=72),
        aware + dt.timedelta(hours=73),
    ]


def test_re_evaluating_the_same_incident_twice_creates_no_history_or_outbox_rows(acme, dpo):
    inc = incident(involves_personal_data=True, severity="P0")
    risk(dpo, inc, types.RISK_HIGH)
    assert Obligation.objects.filter(incident=inc).count() >= 2
    history = Obligation.history.count()
    outbox = OutboxMessage.objects.count()
    counts = notifications.obligations_evaluate(incident=inc)
    assert counts["created"] == counts["updated"] == counts["not_applicable"] == 0
    assert Obligation.history.count() == history
    assert OutboxMessage.objects.count() == outbox


def test_a_breach_judged_unlikely_to_result_in_a_risk_closes_the_gdpr_clock_as_not_applicable(
    acme, dpo
):
    inc = incident(involves_personal_data=True)
    risk(dpo, inc)
    risk(dpo, inc, types.RISK_NONE)
    clock = gdpr_sa(inc)
    assert clock.status == Obligation.Status.NOT_APPLICABLE
    assert clock.status_reason


def test_a_breach_judged_unlikely_from_the_start_creates_no_gdpr_obligation(acme, dpo):
    inc = incident(involves_personal_data=True)
    risk(dpo, inc, types.RISK_NONE)
    assert not Obligation.objects.filter(incident=inc, regime_key=GDPR).exists()


def test_the_seed_rules_threshold_never_stops_the_gdpr_clock(acme, dpo):
    inc = incident(involves_personal_data=True, severity="P1")
    risk(dpo, inc)
    assert gdpr_sa(inc).status == Obligation.Status.OPEN
    assert not Obligation.objects.filter(incident=inc, regime_key="seed_personal_data_breach")


def test_a_dora_intermediate_report_runs_from_the_initial_notifications_actual_submission(
    acme, dpo
):
    inc = incident()
    notifications.fact_record(
        actor=dpo,
        incident=inc,
        kind=types.CLASSIFICATION_MAJOR,
        occurred_at=DETECTED + dt.timedelta(hours=1),
        time_zone="Europe/Paris",
        reason="Classified major under the RTS criteria.",
    )
    initial = Obligation.objects.get(
        incident=inc, regime_key=DORA, stage_key="initial_notification"
    )
    intermediate = Obligation.objects.get(
        incident=inc, regime_key=DORA, stage_key="intermediate_report"
    )
    assert initial.due_at is not None and intermediate.due_at is None
    assert intermediate.waiting_for
    sent = DETECTED + dt.timedelta(hours=3)
    notifications.submission_record(
        actor=dpo,
        obligation=initial,
        submitted_at=sent,
        recipient="ACPR",
        reference_number="ACPR-2026-17",
    )
    intermediate.refresh_from_db()
    assert intermediate.due_at == sent + dt.timedelta(hours=72)
    assert intermediate.anchor_at == sent


def _dora_obligation(inc, stage: str) -> Obligation:
    return Obligation.objects.get(incident=inc, regime_key=DORA, stage_key=stage)


def _submit(dpo, obligation: Obligation, hours: float) -> dt.datetime:
    sent = DETECTED + dt.timedelta(hours=hours)
    notifications.submission_record(
        actor=dpo, obligation=obligation, submitted_at=sent, recipient="ACPR", late_reason="Late."
    )
    return sent


def test_a_second_initial_notification_does_not_move_the_dora_intermediate_report(acme, dpo):
    inc = incident()
    notifications.fact_record(
        actor=dpo,
        incident=inc,
        kind=types.CLASSIFICATION_MAJOR,
        occurred_at=DETECTED + dt.timedelta(hours=1),
        time_zone="Europe/Paris",
        reason="Classified major under the RTS criteria.",
    )
    first = _submit(dpo, _dora_obligation(inc, "initial_notification"), 3)
    _submit(dpo, _dora_obligation(inc, "initial_notification"), 4)  # a corrected filing
    intermediate = _dora_obligation(inc, "intermediate_report")
    assert intermediate.anchor_at == first
    assert intermediate.due_at == first + dt.timedelta(hours=72)


def test_a_second_updated_intermediate_report_moves_the_dora_final_report(acme, dpo):
    inc = incident()
    notifications.fact_record(
        actor=dpo,
        incident=inc,
        kind=types.CLASSIFICATION_MAJOR,
        occurred_at=DETECTED + dt.timedelta(hours=1),
        time_zone="Europe/Paris",
        reason="Classified major under the RTS criteria.",
    )
    _submit(dpo, _dora_obligation(inc, "initial_notification"), 2)
    _submit(dpo, _dora_obligation(inc, "intermediate_report"), 3)
    _submit(dpo, _dora_obligation(inc, "updated_intermediate_report"), 4)
    first_final = _dora_obligation(inc, "final_report")
    assert first_final.anchor_at == DETECTED + dt.timedelta(hours=4)
    latest = _submit(dpo, _dora_obligation(inc, "updated_intermediate_report"), 5)
    final = _dora_obligation(inc, "final_report")
    assert final.anchor_at == latest
    assert final.due_at is not None and final.due_at > first_final.due_at


def test_a_disabled_regime_marks_its_open_clocks_not_applicable(acme, dpo):
    regimes_load()
    inc = incident(involves_personal_data=True)
    risk(dpo, inc)
    regime = NotificationRegime.objects.get(key=GDPR)
    regime.enabled = False
    regime.save()
    notifications.obligations_evaluate(incident=inc)
    assert gdpr_sa(inc).status == Obligation.Status.NOT_APPLICABLE
