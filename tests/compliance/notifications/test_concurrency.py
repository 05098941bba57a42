"""Two evaluations of one incident at the same moment: one set of clocks, one message each."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from bcp_portal.catalogue.models import LegalEntity
from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core.models import OutboxMessage
from compliance import notifications
from compliance.deadlines import types
from compliance.models_notifications import IncidentFact, Obligation
from tests.compliance.notifications.helpers import incident, person


@pytest.mark.django_db(transaction=True)
def test_two_evaluations_at_the_same_moment_create_each_clock_once():
    LegalEntity.objects.create(
        profile=organisation_profile(),
        name="Acme SAS",
        jurisdictions=["FR"],
        statuses=["gdpr_controller"],
        time_zone="Europe/Paris",
    )
    inc = incident(involves_personal_data=True)
    # The fact row without the service, so no clock exists before the race.
    IncidentFact.objects.create(
        incident=inc,
        kind=IncidentFact.GDPR_RISK,
        value=types.RISK,
        reason="Assessed.",
        recorded_by=person("DPO"),
        recorded_at=inc.detected_at,
    )
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def evaluate():
        try:
            start.wait(timeout=10)
            notifications.obligations_evaluate(incident=inc)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=evaluate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    clocks = Obligation.objects.filter(incident=inc)
    assert clocks.filter(stage_key="supervisory_authority").count() == 1
    assert OutboxMessage.objects.filter(dedup_key__startswith="obligation-started:").count() == (
        clocks.count()
    )
