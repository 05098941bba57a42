"""Issue #8, item 9 (API): an optional `Idempotency-Key` makes a retried create write once.

The first request with a key runs; any later one of the same user with that key gets the
first's answer again (`Idempotent-Replayed: true`) and writes nothing, even one racing it.
"""

import json
import threading

import pytest
from django.db import connection
from django.test import Client
from knox.models import AuthToken

from bcp_portal.actions.models import Action
from bcp_portal.core import roles
from drills.models import DrillReport
from tests.drills.report_factories import DrillReportFactory, ReportDrillTypeFactory
from tests.factories import UserFactory

ACTIONS = "/api/v1/actions"


def token_client(user) -> Client:
    _, key = AuthToken.objects.create(user)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def post(client, url, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.django_db
def test_an_action_posted_twice_with_one_key_is_created_once_and_answered_alike(sre):
    client = token_client(sre)
    body = {"title": "Script the failover", "drill_report": DrillReportFactory().pk}

    first = post(client, ACTIONS, body, key="retry-0001")
    again = post(client, ACTIONS, body, key="retry-0001")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Action.objects.filter(title="Script the failover").count() == 1


@pytest.mark.django_db
def test_a_drill_report_posted_twice_with_one_key_records_one_drill_and_report(sre):
    client = token_client(sre)
    body = {"drill_type": ReportDrillTypeFactory().key, "drill_date": "2025-01-06"}

    first = post(client, "/api/v1/drill-reports", body, key="ci-run-77-report")
    again = post(client, "/api/v1/drill-reports", body, key="ci-run-77-report")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert DrillReport.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_two_posts_are_two_actions(sre):
    client = token_client(sre)
    body = {"title": "Twice on purpose", "drill_report": DrillReportFactory().pk}

    post(client, ACTIONS, body)
    post(client, ACTIONS, body)

    assert Action.objects.filter(title="Twice on purpose").count() == 2


@pytest.mark.django_db
def test_one_key_with_another_request_is_refused_naming_the_header(sre):
    client = token_client(sre)
    report = DrillReportFactory()
    post(client, ACTIONS, {"title": "First", "drill_report": report.pk}, key="retry-0002")

    other = post(client, ACTIONS, {"title": "Other", "drill_report": report.pk}, key="retry-0002")

    assert other.status_code == 400
    assert "Idempotency-Key" in other.json()["error"]["fields"]
    assert not Action.objects.filter(title="Other").exists()


@pytest.mark.django_db
def test_a_refused_request_leaves_its_key_for_the_corrected_one(sre):
    client = token_client(sre)

    refused = post(client, ACTIONS, {"title": "No source"}, key="retry-0003")
    corrected = post(
        client,
        ACTIONS,
        {"title": "No source", "drill_report": DrillReportFactory().pk},
        key="retry-0003",
    )

    assert (refused.status_code, corrected.status_code) == (400, 201)


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["short", "x" * 129, "with space", "caf\u00e9-1234"])
def test_a_malformed_key_is_refused_naming_the_header(sre, key):
    response = post(
        token_client(sre),
        ACTIONS,
        {"title": "Bad key", "drill_report": DrillReportFactory().pk},
        key=key.encode().decode("latin-1"),
    )

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Action.objects.exists()


@pytest.mark.django_db
def test_a_key_belongs_to_its_user(sre):
    colleague = UserFactory(username="colleague", roles=[roles.SRE])
    report = DrillReportFactory()

    post(token_client(sre), ACTIONS, {"title": "Mine", "drill_report": report.pk}, "shared-key")
    theirs = post(
        token_client(colleague),
        ACTIONS,
        {"title": "Theirs", "drill_report": report.pk},
        "shared-key",
    )

    assert theirs.status_code == 201 and theirs.json()["title"] == "Theirs"


@pytest.mark.django_db(transaction=True)
def test_two_retries_racing_each_other_create_one_action(sre):
    _, token = AuthToken.objects.create(sre)
    body = {"title": "Raced", "drill_report": DrillReportFactory().pk}
    start = threading.Barrier(2)
    answers = []

    def send():
        try:
            start.wait(timeout=10)
            client = Client(HTTP_AUTHORIZATION=f"Token {token}")
            answers.append(post(client, ACTIONS, body, key="raced-key-1"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Action.objects.filter(title="Raced").count() == 1


def test_the_header_is_documented_on_every_create(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path in ("/api/v1/actions", "/api/v1/drills", "/api/v1/drill-reports", "/api/v1/services"):
        names = [p["name"] for p in schema["paths"][path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, path
