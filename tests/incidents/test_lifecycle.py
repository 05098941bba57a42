from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from incidents.models import Incident, IncidentType, TimelineEntry
from incidents.services import lifecycle
from incidents.services.reference import incident_types_load
from tests.factories import ServiceFactory
from tests.incidents.factories import declare

pytestmark = pytest.mark.django_db


def test_the_runbook_scenarios_are_loaded_as_incident_types_with_their_rto():
    types = {t.key: t for t in IncidentType.objects.all()}
    assert types["database-outage"].expected_rto_minutes == 120
    assert types["payment-provider-outage"].expected_rto_minutes == 5
    assert types["security-incident"].expected_rto_minutes is None
    assert types["partial-degradation"].is_partial_degradation
    assert types["application-outage"].runbook_section == "4.2.1"


def test_loading_the_types_again_adds_nothing_and_keeps_an_edit():
    edited = IncidentType.objects.get(key="other")
    edited.name = "Something else"
    edited.save()
    assert incident_types_load() == 0
    assert IncidentType.objects.get(key="other").name == "Something else"


def test_a_declared_incident_gets_a_yearly_reference_and_a_first_timeline_entry(sre):
    first = declare(sre)
    second = declare(sre, title="Checkout down")
    year = timezone.localtime(first.detected_at).year
    assert (first.reference, second.reference) == (f"INC-{year}-0001", f"INC-{year}-0002")
    assert first.status == Incident.Status.DETECTED
    # (Escalation writes its own entries beside it: tests/incidents/test_escalation.py.)
    entry = first.timeline.get(kind=TimelineEntry.Kind.STATUS)
    assert "declared" in entry.event


def test_the_database_rejects_a_restore_time_earlier_than_detection(sre):
    incident = declare(sre)
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(
            restored_at=incident.detected_at - timedelta(minutes=1)
        )


def test_the_database_rejects_detection_before_onset_and_closing_an_open_incident(sre):
    incident = declare(sre)
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(
            started_at=incident.detected_at + timedelta(minutes=1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(closed_at=incident.detected_at)


def test_the_form_check_names_the_field_of_an_impossible_order(sre):
    incident = declare(sre)
    with pytest.raises(ValidationError) as caught:
        lifecycle.incident_update(
            actor=sre, incident=incident, restored_at=incident.detected_at - timedelta(hours=1)
        )
    assert "restored_at" in caught.value.message_dict


def test_status_moves_forward_stamping_times_and_writing_the_timeline(sre):
    detected = timezone.now() - timedelta(hours=2)
    incident = declare(sre, detected_at=detected, started_at=detected - timedelta(minutes=10))
    responding_at = detected + timedelta(minutes=5)
    lifecycle.incident_set_status(
        actor=sre, incident=incident, status="responding", at=responding_at
    )
    restored_at = detected + timedelta(minutes=50)
    incident = lifecycle.incident_set_status(
        actor=sre, incident=incident, status="restored", at=restored_at
    )
    assert incident.acknowledged_at == responding_at
    assert incident.restored_at == restored_at
    assert incident.time_to_detect == timedelta(minutes=10)
    assert incident.time_to_acknowledge == timedelta(minutes=5)
    assert incident.rto_actual_minutes == 60
    events = list(incident.timeline.filter(kind="status").values_list("event", flat=True))
    assert events[1:] == ["Status: Detected → Responding", "Status: Responding → Restored"]
    with pytest.raises(ValidationError) as caught:
        lifecycle.incident_set_status(actor=sre, incident=incident, status="mitigated")
    assert "re-open" in str(caught.value)


def test_rto_counts_from_detection_when_the_onset_is_unknown(sre):
    detected = timezone.now() - timedelta(hours=1)
    incident = declare(sre, detected_at=detected)
    incident = lifecycle.incident_set_status(
        actor=sre, incident=incident, status="restored", at=detected + timedelta(minutes=25)
    )
    assert incident.time_to_detect is None
    assert incident.rto_actual_minutes == 25


def test_reopening_needs_a_reason_and_clears_the_restore_so_it_is_not_counted_restored(sre):
    detected = timezone.now() - timedelta(hours=1)
    incident = declare(sre, detected_at=detected)
    lifecycle.incident_set_status(actor=sre, incident=incident, status="closed")
    with pytest.raises(ValidationError):
        lifecycle.incident_reopen(actor=sre, incident=incident, reason="  ")
    incident = lifecycle.incident_reopen(actor=sre, incident=incident, reason="It came back")
    assert (incident.status, incident.restored_at, incident.closed_at) == ("responding", None, None)
    assert incident.reopen_count == 1
    last = incident.timeline.last()
    assert last.event.startswith("Re-opened") and last.action_taken == "It came back"


def test_a_severity_change_is_written_to_the_timeline(sre):
    incident = declare(sre, severity="P2")
    lifecycle.incident_set_severity(actor=sre, incident=incident, severity="P0", reason="Payments")
    entry = incident.timeline.filter(kind="severity").last()
    assert (entry.kind, entry.event, entry.action_taken) == (
        "severity",
        "Severity: P2 → P0",
        "Payments",
    )


def test_services_and_responders_are_kept_as_links_with_history(sre, srelead):
    db, api = ServiceFactory(), ServiceFactory()
    incident = declare(sre, services=[db, api], responders=[sre])
    lifecycle.incident_update(
        actor=sre, incident=incident, services=[api], responders=[sre, srelead]
    )
    assert list(incident.services.all()) == [api]
    assert set(incident.responders.all()) == {sre, srelead}
    assert incident.service_links.model.history.filter(history_type="-").count() == 1


def test_people_without_the_permission_cannot_declare(auditor):
    with pytest.raises(PermissionDenied):
        declare(auditor)


def test_checking_an_incident_asks_the_database_nothing_that_clean_already_checks(
    sre, django_assert_num_queries
):
    incident = declare(sre)
    # Only its two foreign keys (type, author) are looked up; not one query per CHECK.
    with django_assert_num_queries(2):
        incident.full_clean(validate_unique=False)
    incident.status = Incident.Status.CLOSED
    with pytest.raises(ValidationError) as caught:
        incident.full_clean(validate_unique=False)
    assert set(caught.value.message_dict) == {"restored_at", "closed_at"}
