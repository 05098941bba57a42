"""The incidents API: the list page's filters, declare, edit, lifecycle actions, timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from incidents.models import Incident, TimelineEntry
from tests.factories import ServiceFactory
from tests.incidents.factories import declare

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
JSON = "application/json"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def test_an_sre_declares_an_incident_and_reads_it_back(client_for, sre):
    service = ServiceFactory(name="Checkout")
    response = client_for(sre).post(
        "/api/v1/incidents",
        {
            "title": "Checkout returns 500",
            "incident_type": "application-outage",
            "severity": "P1",
            "services": [service.pk],
            "responders": [sre.pk],
            "started_at": "2026-11-20T09:40:00Z",
            "involves_payment_data": True,
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"] == "INC-2026-0001"
    assert body["status"] == "detected"
    assert body["detected_at"] == "2026-11-20T10:00:00Z"
    assert body["time_to_detect_minutes"] == 20
    assert body["services"] == [service.pk] and body["responders"] == [sre.pk]
    assert body["incident_type_name"] == "Complete application outage"


def test_a_declaration_with_an_idempotency_key_is_written_once(client_for, sre):
    client = client_for(sre)
    body = {"title": "DB down", "incident_type": "database-outage"}
    first = client.post(
        "/api/v1/incidents", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="k-123456"
    )
    again = client.post(
        "/api/v1/incidents", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="k-123456"
    )
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Incident.objects.count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"incident_type": "database-outage"}, "title"),
        ({"title": "x", "incident_type": "no-such-type"}, "incident_type"),
        ({"title": "x", "incident_type": "database-outage", "severity": "P7"}, "severity"),
        ({"title": "x\ny", "incident_type": "database-outage"}, "title"),
        ({"title": "x", "incident_type": "database-outage", "services": [99999999]}, "services"),
        (
            {"title": "x", "incident_type": "database-outage", "affected_users": "12"},
            "affected_users",
        ),
        (
            {
                "title": "x",
                "incident_type": "database-outage",
                "detected_at": "9999-01-01T00:00:00Z",
            },
            "detected_at",
        ),
        (
            {
                "title": "x",
                "incident_type": "database-outage",
                "started_at": "2026-11-20T10:30:00Z",
            },
            "detected_at",
        ),
        (
            {"title": "x", "incident_type": "database-outage", "status": "closed", "severity": 3},
            "severity",
        ),
    ],
)
def test_a_refused_declaration_names_the_field(client_for, sre, body, field):
    response = client_for(sre).post("/api/v1/incidents", body, content_type=JSON)
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["fields"], error
    assert Incident.objects.count() == 0


def test_patch_changes_facts_but_severity_only_through_its_action(client_for, sre):
    incident = declare(sre, severity="P2", detected_at=NOW - timedelta(hours=1))
    client = client_for(sre)
    url = f"/api/v1/incidents/{incident.pk}"
    service = ServiceFactory()
    response = client.patch(
        url,
        {"title": "Renamed", "services": [service.pk], "rpo_actual_minutes": 5, "rpo_basis": "wal"},
        content_type=JSON,
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"
    assert response.json()["services"] == [service.pk]
    severity = client.patch(url, {"severity": "P0"}, content_type=JSON)
    assert severity.status_code == 400
    assert "/severity" in severity.json()["error"]["fields"]["severity"][0]
    assert client.patch(url, {"severity": "P2"}, content_type=JSON).status_code == 200
    bad = client.patch(url, {"restored_at": "2026-11-20T08:00:00Z"}, content_type=JSON)
    assert bad.status_code == 400
    assert "restored_at" in bad.json()["error"]["fields"]
    no_basis = client.patch(url, {"rpo_basis": ""}, content_type=JSON)
    assert "rpo_basis" in no_basis.json()["error"]["fields"]


def test_the_lifecycle_actions_move_status_severity_and_reopen(client_for, sre):
    incident = declare(sre, severity="P2", detected_at=NOW - timedelta(hours=1))
    client = client_for(sre)
    base = f"/api/v1/incidents/{incident.pk}"
    restored = client.post(
        f"{base}/status", {"status": "restored", "at": "2026-11-20T09:45:00Z"}, content_type=JSON
    )
    assert restored.status_code == 200, restored.json()
    assert restored.json()["rto_actual_minutes"] == 45
    back = client.post(f"{base}/status", {"status": "responding"}, content_type=JSON)
    assert back.status_code == 400 and "status" in back.json()["error"]["fields"]
    no_reason = client.post(f"{base}/severity", {"severity": "P1"}, content_type=JSON)
    assert "reason" in no_reason.json()["error"]["fields"]
    raised = client.post(
        f"{base}/severity", {"severity": "P1", "reason": "More users"}, content_type=JSON
    )
    assert raised.json()["severity"] == "P1"
    reopened = client.post(f"{base}/reopen", {"reason": "Back"}, content_type=JSON)
    assert reopened.json()["status"] == "responding" and reopened.json()["reopen_count"] == 1
    kinds = list(incident.timeline.values_list("kind", flat=True))
    assert kinds == ["status", "status", "severity", "status"]


def test_the_timeline_lists_and_adds_entries(client_for, sre, auditor):
    incident = declare(sre)
    client = client_for(sre)
    url = f"/api/v1/incidents/{incident.pk}/timeline"
    added = client.post(
        url, {"event": "Vendor called", "owner_name": "Acme support"}, content_type=JSON
    )
    assert added.status_code == 201, added.json()
    assert added.json()["owner_display"] == "Acme support" and added.json()["owner"] is None
    empty = client.post(url, {"event": ""}, content_type=JSON)
    assert empty.status_code == 400 and "event" in empty.json()["error"]["fields"]
    listed = client_for(auditor).get(url).json()["results"]
    assert [e["event"] for e in listed][-1] == "Vendor called"
    assert client_for(auditor).post(url, {"event": "x"}, content_type=JSON).status_code == 403
    assert TimelineEntry.objects.filter(incident=incident).count() == 2


def test_the_timeline_of_an_unknown_incident_is_not_found(client_for, sre):
    assert client_for(sre).get("/api/v1/incidents/999999/timeline").status_code == 404


def test_the_list_takes_the_page_filters_and_names_a_bad_one(client_for, sre):
    declare(sre, title="Checkout down", severity="P0")
    declare(sre, title="Slow search", severity="P3")
    client = client_for(sre)
    rows = client.get("/api/v1/incidents?severity=P0").json()["results"]
    assert [r["title"] for r in rows] == ["Checkout down"]
    assert [r["title"] for r in client.get("/api/v1/incidents?search=slow").json()["results"]] == [
        "Slow search"
    ]
    bad = client.get("/api/v1/incidents?detected_from=2026-02-30")
    assert bad.status_code == 400 and "detected_from" in bad.json()["error"]["fields"]


@pytest.mark.parametrize("rows", [2, 30])
def test_the_api_list_query_count_does_not_grow_with_rows(
    client_for, sre, rows, django_assert_num_queries
):
    services = [ServiceFactory(), ServiceFactory()]
    for n in range(rows):
        declare(sre, title=f"Incident {n}", services=services, responders=[sre], commander=sre)
    client = client_for(sre)
    client.get("/api/v1/incidents")
    # session, user, 2FA device, profile, permissions, rows (type, commander), services,
    # responders
    with django_assert_num_queries(8):
        assert client.get("/api/v1/incidents").status_code == 200


def test_the_incident_types_are_read_only(client_for, auditor):
    client = client_for(auditor)
    rows = client.get("/api/v1/incident-types?page_size=50").json()["results"]
    assert {"database-outage", "other"} <= {r["key"] for r in rows}
    assert client.post("/api/v1/incident-types", {}, content_type=JSON).status_code in (403, 405)


def test_other_roles_read_but_cannot_write_and_outsiders_are_refused(
    client_for, sre, auditor, outsider
):
    incident = declare(sre)
    assert client_for(auditor).get(f"/api/v1/incidents/{incident.pk}").status_code == 200
    assert (
        client_for(auditor).post("/api/v1/incidents", {"title": "x"}, content_type=JSON).status_code
        == 403
    )
    assert client_for(outsider).get("/api/v1/incidents").status_code == 403


def test_a_nul_in_a_relation_named_by_text_is_a_400_naming_it_not_a_500(client_for, sre):
    response = client_for(sre).post(
        "/api/v1/incidents",
        {
            "title": "Checkout down",
            "incident_type": "other\x00",
            "detected_at": "2026-11-20T09:00:00Z",
        },
        content_type=JSON,
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["incident_type"] == [
        "Null characters are not allowed."
    ]
    assert not Incident.objects.exists()
