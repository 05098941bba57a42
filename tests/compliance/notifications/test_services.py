"""Facts, obligations and submissions: who may record them, what is refused, what follows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from bcp_portal.core import limits, roles
from bcp_portal.core.models import OutboxMessage
from compliance import notifications
from compliance.deadlines import types
from compliance.models_notifications import IncidentFact, Obligation, Submission
from tests.compliance.notifications.helpers import DETECTED, incident, person, replaced, result

pytestmark = pytest.mark.django_db

NOW = DETECTED + dt.timedelta(hours=10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def dpo():
    return person(roles.DPO)


@pytest.fixture
def legal():
    return person(roles.LEGAL_COUNSEL)


def aware(actor, inc, at=DETECTED + dt.timedelta(hours=1), **kw):
    return notifications.fact_record(
        actor=actor,
        incident=inc,
        kind=types.CONTROLLER_AWARENESS,
        occurred_at=at,
        time_zone="Europe/Paris",
        reason="The DPO was told by the on-call engineer.",
        **kw,
    )


# --- Facts -----------------------------------------------------------------------------------


def test_the_dpo_records_a_dated_fact_with_who_when_and_why(engine, dpo):
    inc = incident()
    fact = aware(dpo, inc, evidence="PagerDuty #123")
    assert fact.recorded_by == dpo
    assert fact.recorded_at == NOW
    assert fact.time_zone == "Europe/Paris"
    assert fact.evidence == "PagerDuty #123"
    assert engine.cases[-1].dated[types.CONTROLLER_AWARENESS] == DETECTED + dt.timedelta(hours=1)


def test_changing_a_fact_keeps_the_old_value_in_its_history(engine, dpo, legal):
    inc = incident()
    aware(dpo, inc)
    fact = aware(legal, inc, at=DETECTED + dt.timedelta(hours=2))
    assert IncidentFact.objects.filter(incident=inc).count() == 1
    assert fact.recorded_by == legal
    history = list(fact.history.order_by("history_date").values_list("occurred_at", flat=True))
    assert history == [DETECTED + dt.timedelta(hours=1), DETECTED + dt.timedelta(hours=2)]


def test_recording_the_same_fact_again_writes_nothing(engine, dpo):
    inc = incident()
    fact = aware(dpo, inc)
    aware(dpo, inc)
    assert fact.history.count() == 1


@pytest.mark.parametrize("role", [roles.SRE, roles.SRE_LEAD, roles.CTO, roles.AUDITOR, None])
def test_only_the_dpo_and_legal_counsel_record_facts(engine, role):
    with pytest.raises(PermissionDenied):
        aware(person(role), incident())


def test_a_dated_fact_needs_its_time(engine, dpo):
    with pytest.raises(ValidationError) as exc:
        notifications.fact_record(
            actor=dpo, incident=incident(), kind=types.AWARENESS, reason="Told."
        )
    assert "occurred_at" in exc.value.message_dict


def test_a_fact_in_the_future_is_refused_but_a_few_seconds_of_skew_are_not(engine, dpo):
    inc = incident()
    with pytest.raises(ValidationError) as exc:
        aware(dpo, inc, at=NOW + dt.timedelta(hours=1))
    assert "future" in exc.value.message_dict["occurred_at"][0]
    assert aware(dpo, inc, at=NOW + dt.timedelta(seconds=30)).pk


def test_a_fact_before_1900_or_without_a_zone_is_refused(engine, dpo):
    inc = incident()
    with pytest.raises(ValidationError) as exc:
        aware(dpo, inc, at=dt.datetime(1899, 12, 31, tzinfo=dt.UTC))
    assert "1900" in exc.value.message_dict["occurred_at"][0]
    with pytest.raises(ValidationError) as exc:
        aware(dpo, inc, at=dt.datetime(2026, 3, 2, 10))
    assert "occurred_at" in exc.value.message_dict


def test_an_unknown_time_zone_is_refused_on_its_field(engine, dpo):
    with pytest.raises(ValidationError) as exc:
        notifications.fact_record(
            actor=dpo,
            incident=incident(),
            kind=types.AWARENESS,
            occurred_at=DETECTED,
            time_zone="Mars/Olympus",
            reason="Told.",
        )
    assert "time_zone" in exc.value.message_dict


def test_the_gdpr_risk_needs_a_level(engine, dpo):
    inc = incident()
    with pytest.raises(ValidationError) as exc:
        notifications.fact_record(
            actor=dpo, incident=inc, kind=IncidentFact.GDPR_RISK, value="", reason="Assessed."
        )
    assert "value" in exc.value.message_dict
    notifications.fact_record(
        actor=dpo, incident=inc, kind=IncidentFact.GDPR_RISK, value=types.RISK_HIGH, reason="x"
    )
    assert engine.cases[-1].gdpr_risk == types.RISK_HIGH


def test_persons_affected_need_a_region_and_a_count_and_are_kept_per_region(engine, dpo):
    inc = incident()
    with pytest.raises(ValidationError) as exc:
        notifications.fact_record(
            actor=dpo, incident=inc, kind=IncidentFact.PERSONS_AFFECTED, reason="Counted."
        )
    assert {"region", "count"} <= set(exc.value.message_dict)
    for region, count in (("FR", 1200), ("US-CA", 600)):
        notifications.fact_record(
            actor=dpo,
            incident=inc,
            kind=IncidentFact.PERSONS_AFFECTED,
            region=region,
            count=count,
            reason="Counted from the logs.",
        )
    assert engine.cases[-1].persons_affected == {"FR": 1200, "US-CA": 600}


def test_a_region_on_a_dated_fact_is_refused(engine, dpo):
    with pytest.raises(ValidationError) as exc:
        aware(dpo, incident(), region="FR")
    assert "region" in exc.value.message_dict


def test_a_fact_needs_a_reason(engine, dpo):
    with pytest.raises(ValidationError) as exc:
        notifications.fact_record(
            actor=dpo,
            incident=incident(),
            kind=types.AWARENESS,
            occurred_at=DETECTED,
            reason="  ",
        )
    assert "reason" in exc.value.message_dict


# --- Obligations added and waived by the DPO ------------------------------------------------


def test_the_dpo_adds_an_obligation_the_engine_does_not_know(engine, dpo):
    inc = incident()
    due = NOW + dt.timedelta(days=2)
    ob = notifications.obligation_add(
        actor=dpo,
        incident=inc,
        regime_name="Contract with Bank X",
        stage_name="Notice to the bank",
        notify="Bank X security desk",
        due_at=due,
        reason="Clause 12.3 of the contract.",
    )
    assert ob.manual and ob.regime_key == "manual" and ob.status == Obligation.Status.OPEN
    assert ob.due_at == due and ob.status_changed_by == dpo
    other = notifications.obligation_add(
        actor=dpo,
        incident=inc,
        regime_name="Contract with Bank X",
        stage_name="Notice to the bank",
        notify="",
        due_at=None,
        reason="Same clause, second notice.",
    )
    assert other.stage_key != ob.stage_key


def test_an_obligation_added_by_hand_is_never_changed_by_an_evaluation(engine, dpo):
    inc = incident()
    ob = notifications.obligation_add(
        actor=dpo,
        incident=inc,
        regime_name="Contract",
        stage_name="Notice",
        notify="",
        due_at=None,
        reason="Clause 1.",
    )
    engine.set()
    notifications.obligations_evaluate(incident=inc)
    ob.refresh_from_db()
    assert ob.status == Obligation.Status.OPEN and ob.history.count() == 1


@pytest.mark.parametrize("role", [roles.LEGAL_COUNSEL, roles.SRE_LEAD, roles.AUDITOR])
def test_only_the_dpo_adds_or_waives_obligations(engine, role):
    inc = incident()
    actor = person(role)
    with pytest.raises(PermissionDenied):
        notifications.obligation_add(
            actor=actor,
            incident=inc,
            regime_name="R",
            stage_name="S",
            notify="",
            due_at=None,
            reason="Because.",
        )
    engine.set(result())
    notifications.obligations_evaluate(incident=inc)
    with pytest.raises(PermissionDenied):
        notifications.obligation_waive(
            actor=actor, obligation=Obligation.objects.get(), reason="No."
        )


def test_the_dpo_waives_an_open_obligation_with_a_reason_and_only_once(engine, dpo):
    inc = incident()
    engine.set(result())
    notifications.obligations_evaluate(incident=inc)
    ob = Obligation.objects.get()
    with pytest.raises(ValidationError) as exc:
        notifications.obligation_waive(actor=dpo, obligation=ob, reason="")
    assert "reason" in exc.value.message_dict
    ob = notifications.obligation_waive(actor=dpo, obligation=ob, reason="No EU data subjects.")
    assert ob.status == Obligation.Status.WAIVED and ob.status_reason == "No EU data subjects."
    with pytest.raises(ValidationError) as exc:
        notifications.obligation_waive(actor=dpo, obligation=ob, reason="Again.")
    assert "obligation" in exc.value.message_dict


def test_a_waived_obligation_stays_waived_when_evaluated_again(engine, dpo):
    inc = incident()
    engine.set(result())
    notifications.obligations_evaluate(incident=inc)
    notifications.obligation_waive(
        actor=dpo, obligation=Obligation.objects.get(), reason="Judged unnecessary."
    )
    engine.set(result(due_at=DETECTED + dt.timedelta(hours=80)))
    notifications.obligations_evaluate(incident=inc)
    ob = Obligation.objects.get()
    assert ob.status == Obligation.Status.WAIVED
    assert ob.due_at == DETECTED + dt.timedelta(hours=80)


# --- Submissions -------------------------------------------------------------------------------


def evaluated(engine, *results):
    inc = incident()
    engine.set(*(results or (result(),)))
    notifications.obligations_evaluate(incident=inc)
    return inc


def test_legal_counsel_records_a_submission_and_the_obligation_is_submitted(engine, legal):
    inc = evaluated(engine)
    ob = Obligation.objects.get(incident=inc)
    sub = notifications.submission_record(
        actor=legal,
        obligation=ob,
        submitted_at=NOW - dt.timedelta(hours=1),
        recipient="CNIL",
        reference_number="CNIL-2026-0042",
        content="Art. 33 notification.",
    )
    ob.refresh_from_db()
    assert ob.status == Obligation.Status.SUBMITTED
    assert ob.submitted_at == NOW - dt.timedelta(hours=1)
    assert sub.submitted_by == legal and sub.reference_number == "CNIL-2026-0042"
    # The evaluation after it sees the submission, for the stages that run from it.
    assert engine.cases[-1].submissions == {"gdpr/sa": NOW - dt.timedelta(hours=1)}


def test_a_stage_that_runs_from_a_submission_gets_its_due_time_from_it(engine, dpo):
    first = result()
    follow_up = result(
        stage="follow-up",
        stage_name="Follow-up",
        anchor="submission:sa",
        anchor_at=None,
        due_at=None,
        waiting_for="submission of Supervisory authority",
    )
    inc = evaluated(engine, first, follow_up)
    waiting = Obligation.objects.get(stage_key="follow-up")
    assert waiting.due_at is None and waiting.waiting_for

    sent = NOW - dt.timedelta(hours=2)

    def answer(case):
        engine.cases.append(case)
        at = case.submissions.get("gdpr/sa")
        if at is None:
            return [first, follow_up]
        return [
            first,
            replaced(follow_up, anchor_at=at, due_at=at + dt.timedelta(days=30), waiting_for=""),
        ]

    engine.results = []
    notifications.results_for = answer  # the fixture puts the original back
    notifications.submission_record(
        actor=dpo, obligation=Obligation.objects.get(stage_key="sa"), submitted_at=sent,
        recipient="CNIL",
    )  # fmt: skip
    waiting.refresh_from_db()
    assert waiting.due_at == sent + dt.timedelta(days=30)
    assert waiting.anchor_at == sent and waiting.waiting_for == ""
    assert inc.obligations.get(stage_key="sa").status == Obligation.Status.SUBMITTED


def test_a_late_submission_needs_the_reasons_for_the_delay(engine, dpo):
    evaluated(engine, result(due_at=NOW - dt.timedelta(hours=5)))
    ob = Obligation.objects.get()
    with pytest.raises(ValidationError) as exc:
        notifications.submission_record(
            actor=dpo, obligation=ob, submitted_at=NOW, recipient="CNIL"
        )
    assert "Art. 33(1)" in exc.value.message_dict["late_reason"][0]
    sub = notifications.submission_record(
        actor=dpo,
        obligation=ob,
        submitted_at=NOW,
        recipient="CNIL",
        late_reason="The scope took two days to establish.",
    )
    assert sub.late_reason


@pytest.mark.parametrize("role", [roles.SRE, roles.SRE_LEAD, roles.CTO, roles.AUDITOR])
def test_only_the_dpo_and_legal_counsel_record_submissions(engine, role):
    evaluated(engine)
    with pytest.raises(PermissionDenied):
        notifications.submission_record(
            actor=person(role),
            obligation=Obligation.objects.get(),
            submitted_at=NOW,
            recipient="CNIL",
        )


def test_a_submission_in_the_future_or_without_recipient_is_refused(engine, dpo):
    evaluated(engine)
    ob = Obligation.objects.get()
    with pytest.raises(ValidationError) as exc:
        notifications.submission_record(
            actor=dpo, obligation=ob, submitted_at=NOW + dt.timedelta(days=1), recipient="CNIL"
        )
    assert "submitted_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        notifications.submission_record(actor=dpo, obligation=ob, submitted_at=NOW, recipient="")
    assert "recipient" in exc.value.message_dict
    assert not Submission.objects.exists()


def test_a_submission_on_a_waived_obligation_is_refused(engine, dpo):
    evaluated(engine)
    ob = notifications.obligation_waive(
        actor=dpo, obligation=Obligation.objects.get(), reason="Not owed."
    )
    with pytest.raises(ValidationError) as exc:
        notifications.submission_record(
            actor=dpo, obligation=ob, submitted_at=NOW, recipient="CNIL"
        )
    assert "obligation" in exc.value.message_dict


def test_an_attachment_is_stored_with_its_type_from_the_name_and_its_digest(engine, dpo):
    evaluated(engine)
    upload = SimpleUploadedFile("receipt.PDF", b"%PDF-1.4 receipt", content_type="text/html")
    sub = notifications.submission_record(
        actor=dpo,
        obligation=Obligation.objects.get(),
        submitted_at=NOW,
        recipient="CNIL",
        attachment=upload,
    )
    sub.refresh_from_db()
    assert bytes(sub.attachment) == b"%PDF-1.4 receipt"
    assert sub.attachment_type == "application/pdf" and sub.attachment_name == "receipt.PDF"
    assert len(sub.attachment_sha256) == 64


def test_an_attachment_too_large_or_of_another_type_is_refused_on_its_field(engine, dpo):
    evaluated(engine)
    ob = Obligation.objects.get()
    big = SimpleUploadedFile("big.pdf", b"x" * (limits.SUBMISSION_ATTACHMENT_MAX_BYTES + 1))
    for upload, words in ((big, "larger"), (SimpleUploadedFile("run.exe", b"MZ"), "types")):
        with pytest.raises(ValidationError) as exc:
            notifications.submission_record(
                actor=dpo, obligation=ob, submitted_at=NOW, recipient="CNIL", attachment=upload
            )
        assert words in exc.value.message_dict["attachment"][0]


def test_a_second_submission_keeps_the_first_as_the_time_it_was_met(engine, dpo):
    evaluated(engine)
    ob = Obligation.objects.get()
    first = NOW - dt.timedelta(hours=3)
    notifications.submission_record(actor=dpo, obligation=ob, submitted_at=first, recipient="A")
    notifications.submission_record(actor=dpo, obligation=ob, submitted_at=NOW, recipient="A")
    ob.refresh_from_db()
    assert ob.submitted_at == first and ob.submissions.count() == 2
    # The stages that run from it run from the first; only a latest-of anchor reads NOW.
    assert engine.cases[-1].submissions == {"gdpr/sa": first}
    assert engine.cases[-1].latest_submissions == {"gdpr/sa": NOW}


def test_no_outbox_message_is_added_by_a_submission(engine, dpo):
    evaluated(engine)
    before = OutboxMessage.objects.count()
    notifications.submission_record(
        actor=dpo, obligation=Obligation.objects.get(), submitted_at=NOW, recipient="CNIL"
    )
    assert OutboxMessage.objects.count() == before
