"""schemathesis over every operation of the API schema, in-process (issue #8, item 14).

The schema is the one the portal serves (/api/schema/), loaded through the WSGI app, and
every generated request goes through the same app (no server): the whole middleware stack,
DRF, the services and PostgreSQL. Requests carry a knox token of an SRE Lead (wide rights;
a token stays valid under two-factor) and the world is seeded so ids exist: path ids are
mostly drawn from the seeded rows. Each response must not be a 5xx and must conform to the
schema (status code, content type, headers, body).

The budget: FUZZ_EXAMPLES examples per operation (default 10, about 60 s on two cores in the
suite); `make fuzz` runs the same test with a larger budget.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.specs.openapi.checks import positive_data_acceptance

from bcp_portal.core import roles
from bcp_portal.core.models import SignOff
from drills.models import Drill, DrillReport
from incidents.models import IncidentType
from incidents.services.lifecycle import incident_set_status
from tests.actions.factories import ActionFactory
from tests.compliance import api_factories as runbooks
from tests.drills.factories import DrillFactory
from tests.drills.report_factories import DrillReportFactory, RecoveryStepFactory
from tests.factories import ServiceFactory, UserFactory
from tests.incidents.factories import declare as declare_incident

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# The coverage phase (every boundary and missing value of every field, whatever the budget)
# runs with `make fuzz`; the suite keeps to the explicit examples and FUZZ_EXAMPLES cases.
schema.config.phases.coverage.enabled = os.environ.get("FUZZ_COVERAGE", "0") == "1"

# Ids of the seeded rows, by the collection a path names (filled per test by `world`).
SEEDED: dict[str, list[int]] = {}


@schema.hook
def map_path_parameters(context, path_parameters):
    """Three ids in four name a seeded row of the operation's collection; the rest stay as
    generated (mostly ids that do not exist: 404)."""
    if not path_parameters:
        return path_parameters
    # An incident's timeline names its incident `incident_pk`.
    name = "incident_pk" if "incident_pk" in path_parameters else "id"
    ident = path_parameters.get(name)
    collection = context.operation.path.split("/")[3]
    rows = SEEDED.get(collection)
    if rows and isinstance(ident, int) and not isinstance(ident, bool) and ident % 4:
        path_parameters[name] = rows[ident % len(rows)]
    return path_parameters


@pytest.fixture
def world(db):
    """An SRE Lead and a little of everything the API serves."""
    lead = UserFactory(username="fuzz-lead", roles=[roles.SRE_LEAD])
    sre = UserFactory(username="fuzz-sre", roles=[roles.SRE])
    services = [ServiceFactory(name=f"Service {n}") for n in range(3)]
    drills = [DrillFactory(participants=[sre]) for _ in range(2)]
    past = DrillFactory(starts_at=timezone.now() - timedelta(days=2), status=Drill.Status.DONE)
    draft = DrillReportFactory(created_by=sre)
    RecoveryStepFactory(report=draft)
    submitted = DrillReportFactory(drill=past, status=DrillReport.Status.SUBMITTED)
    submitted.services.set(services[:1])
    actions = [ActionFactory(owner=sre), ActionFactory(owner=lead), ActionFactory(owner=None)]
    # Runbooks: the lead's own draft (so writes reach the services), a change in review,
    # a published version with its two approvals.
    own_draft = runbooks.draft(author=lead)
    in_review = runbooks.in_review_for(lead)
    published = runbooks.published()
    # Incidents (issue #10): one open with a timeline entry, one restored (re-openable).
    open_incident = declare_incident(lead, title="Checkout down", services=services[:1])
    restored = declare_incident(
        lead, title="Search slow", detected_at=timezone.now() - timedelta(hours=1)
    )
    incident_set_status(actor=lead, incident=restored, status="restored")
    SEEDED.clear()
    SEEDED.update(
        {
            "services": [s.pk for s in services],
            "drills": [d.pk for d in [*drills, past]],
            "drill-reports": [draft.pk, submitted.pk],
            "actions": [a.pk for a in actions],
            "runbooks": [v.document_id for v in (own_draft, in_review, published)],
            "runbook-versions": [v.pk for v in (own_draft, in_review, published)],
            "runbook-changes": [v.change.pk for v in (own_draft, in_review, published)],
            "signoffs": list(SignOff.objects.values_list("pk", flat=True)),
            "incidents": [open_incident.pk, restored.pk],
            "incident-types": list(IncidentType.objects.values_list("pk", flat=True)),
        }
    )
    # The WSGI app closes the database connection after each request, as a server's does;
    # in a test that would close the test's own transaction (Django's test client does this).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield lead
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_api_operation_answers_without_a_server_error_and_as_documented(case, world):
    # A fresh token for each call: the logout operations revoke the one they are sent.
    _, key = AuthToken.objects.create(world)
    case.call_and_validate(
        headers={"Authorization": f"Token {key}"},
        # Every check but "schema-valid data is accepted": the portal rightly refuses valid-
        # looking data its rules forbid (an id that names no row, a locked report, a drill
        # date still to come), which no schema can express. Refusals must still be 4xx in
        # the documented error shape, which the other checks hold it to.
        excluded_checks=[positive_data_acceptance],
    )
