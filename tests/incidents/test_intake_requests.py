"""Alert intake refuses what it cannot use, naming the problem, and writes nothing then;
it takes a source's token and nothing else (no session, no CSRF, no two-factor)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from datetime import UTC

import pytest
from django.test import Client

from bcp_portal.core import limits
from bcp_portal.core.api.parsers import json_depth
from incidents.models import AlertGroup, Incident, IntakeAlert, IntakeSource, TimelineEntry
from incidents.services.intake_sources import intake_source_revoke
from tests.incidents.intake_factories import (
    ALERTMANAGER_URL,
    GENERIC_URL,
    am_alert,
    am_payload,
    make_source,
    post,
)
from tests.twofactor import give_two_factor

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def token(srelead):
    return make_source(srelead)[1]


def nothing_written() -> bool:
    return not (
        Incident.objects.exists()
        or AlertGroup.objects.exists()
        or IntakeAlert.objects.exists()
        or TimelineEntry.objects.exists()
    )


def refused_fields(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    return body["fields"]


def without(data: dict, path: str) -> dict:
    data = copy.deepcopy(data)
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    del target[last]
    return data


def with_value(data: dict, path: str, value) -> dict:
    data = copy.deepcopy(data)
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = value
    return data


# --- Bad payloads ---------------------------------------------------------------------------


def test_a_body_that_is_not_json_is_refused_saying_so(token):
    response = post(token, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert "not JSON" in response.json()["error"]["message"]
    assert nothing_written()


def test_a_body_that_is_not_utf8_or_not_an_object_is_refused(token):
    assert post(token, b"\xff\xfe{}").status_code == 400
    assert refused_fields(post(token, [am_payload()])) == {
        "non_field_errors": ["The body must be a JSON object, not an array."]
    }
    assert nothing_written()


def test_a_form_post_is_refused_as_the_wrong_media_type(token):
    response = post(token, "version=4", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert nothing_written()


def test_a_wrong_version_is_refused_naming_the_version(token):
    fields = refused_fields(post(token, am_payload(version="3")))

    assert fields == {"version": ["Only version \"4\" of the webhook payload is read, not '3'."]}
    assert nothing_written()


@pytest.mark.parametrize(
    "path",
    [
        "version",
        "groupKey",
        "status",
        "receiver",
        "alerts",
        "alerts.0.status",
        "alerts.0.labels",
        "alerts.0.startsAt",
        "alerts.0.fingerprint",
    ],
)
def test_a_missing_field_is_refused_naming_it(token, path):
    fields = refused_fields(post(token, without(am_payload(), path)))

    assert fields == {path: ["This field is required."]}
    assert nothing_written()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("groupKey", 12, "Must be a string, not a number."),
        ("status", "pending", "Must be one of firing, resolved, not 'pending'."),
        ("truncatedAlerts", -1, "Must be a whole number, 0 or more."),
        ("commonLabels", ["a"], "Must be an object of strings, not an array."),
        ("alerts", {"a": 1}, "Must be an array of alerts, not an object."),
        ("alerts", [], "Must hold at least one alert."),
        ("alerts.0", "alert", "Must be an object, not a string."),
        ("alerts.0.labels.severity", 3, "Must be a string, not a number."),
        ("alerts.0.fingerprint", "", "Must not be empty."),
        ("alerts.0.generatorURL", "javascript:alert(1)", "Must be an http or https address."),
        ("alerts.0.annotations.summary", "a\x00b", "Holds a NUL character, which is not allowed."),
    ],
)
def test_a_value_of_the_wrong_type_or_form_is_refused_naming_the_field(token, path, value, message):
    fields = refused_fields(post(token, with_value(am_payload(), path, value)))

    assert fields == {path: [message]}
    assert nothing_written()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            "alerts.0.startsAt",
            "yesterday",
            "'yesterday' is not an RFC 3339 time (e.g. 2026-11-29T18:00:00Z).",
        ),
        (
            "alerts.0.startsAt",
            "2026-11-29T11:00:00",
            "'2026-11-29T11:00:00' is not an RFC 3339 time (e.g. 2026-11-29T18:00:00Z).",
        ),
        (
            "alerts.0.startsAt",
            "2026-02-30T11:00:00Z",
            "'2026-02-30T11:00:00Z' is not a real date and time.",
        ),
        (
            "alerts.0.startsAt",
            "2026-11-29T12:30:00Z",
            "Lies in the future (more than the allowed clock skew).",
        ),
        ("alerts.0.startsAt", "1850-01-01T00:00:00Z", "The year must be 1900 to 2999."),
    ],
)
def test_a_bad_time_is_refused_naming_it(token, path, value, message):
    assert refused_fields(post(token, with_value(am_payload(), path, value))) == {path: [message]}
    assert nothing_written()


def test_a_resolved_alert_needs_an_end_not_before_its_start(token):
    no_end = am_payload(am_alert(status="resolved"))
    backwards = am_payload(am_alert(status="resolved", ends_at="2026-11-29T11:00:00Z"))

    assert refused_fields(post(token, no_end)) == {
        "alerts.0.endsAt": ["A resolved alert needs the time it ended."]
    }
    assert refused_fields(post(token, backwards)) == {
        "alerts.0.endsAt": ["A resolved alert cannot end before it started."]
    }


def test_one_bad_alert_among_good_ones_writes_nothing_at_all(token):
    body = am_payload(am_alert(), am_alert(fingerprint="b" * 16, starts_at="soon"))

    fields = refused_fields(post(token, body))

    assert list(fields) == ["alerts.1.startsAt"]
    assert nothing_written()


def test_a_failure_after_the_incident_is_declared_rolls_everything_back(token, srelead):
    # A generic event naming a service that does not exist is refused by the service, after
    # reading the group: the group row it made is rolled back with the rest.
    _, generic = make_source(srelead, kind="generic", name="Checker")
    event = {"key": "k", "status": "firing", "title": "Down", "service": "No such service"}

    fields = refused_fields(post(generic, event, url=GENERIC_URL))

    assert fields == {"service": ["No service of the catalogue is named 'No such service'."]}
    assert nothing_written()


# --- Limits ---------------------------------------------------------------------------------


def test_a_body_over_the_intake_limit_is_refused_with_413(token):
    padding = "x" * (limits.INTAKE_BODY_MAX_BYTES + 1)
    response = post(token, am_payload(padding=padding))

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert nothing_written()


def test_more_alerts_than_the_limit_are_refused_naming_alerts(token):
    many = [am_alert(fingerprint=f"{n:016x}") for n in range(limits.INTAKE_ALERTS_MAX + 1)]

    fields = refused_fields(post(token, am_payload(*many)))

    assert "the limit is 100" in fields["alerts"][0]
    assert nothing_written()


def test_too_many_labels_or_too_long_a_value_is_refused(token):
    labels = {f"l{n}": "v" for n in range(limits.INTAKE_LABELS_MAX + 1)}
    many = am_payload(am_alert(labels=labels))
    long_value = am_payload(am_alert(labels={"team": "x" * (limits.INTAKE_LABEL_VALUE_MAX + 1)}))
    long_name = am_payload(am_alert(labels={"n" * (limits.INTAKE_LABEL_NAME_MAX + 1): "v"}))

    assert list(refused_fields(post(token, many))) == ["alerts.0.labels"]
    assert list(refused_fields(post(token, long_value))) == ["alerts.0.labels.team"]
    assert list(refused_fields(post(token, long_name))) == ["alerts.0.labels"]
    assert nothing_written()


def test_a_deeply_nested_body_is_refused_not_a_server_error(token):
    response = post(token, "[" * 10_000 + "]" * 10_000)

    assert response.status_code == 400
    assert nothing_written()


def test_a_body_one_level_deeper_than_the_limit_is_refused_naming_the_limit(token):
    def with_depth(depth: int) -> str:
        extra: dict = {}
        for _ in range(depth - 2):  # the payload's own object is one level, `extra` another
            extra = {"a": extra}
        body = json.dumps(am_payload(am_alert()) | {"extra": extra})
        assert json_depth(body) == depth
        return body

    response = post(token, with_depth(limits.JSON_MAX_DEPTH + 1))

    assert response.status_code == 400
    assert f"limit of {limits.JSON_MAX_DEPTH} levels" in response.json()["error"]["message"]
    assert nothing_written()
    assert post(token, with_depth(limits.JSON_MAX_DEPTH)).status_code == 200


def test_brackets_inside_strings_are_not_nesting(token):
    brackets = "{[" * (limits.JSON_MAX_DEPTH + 5)

    response = post(token, am_payload(am_alert(summary=brackets)))

    assert response.status_code == 200, response.content
    assert IntakeAlert.objects.get().title == brackets


# --- Tokens, sessions, methods ----------------------------------------------------------------


def test_no_token_or_a_malformed_header_is_401_asking_for_a_bearer_token(token):
    bare = Client().post(
        ALERTMANAGER_URL, json.dumps(am_payload()), content_type="application/json"
    )
    basic = post("x", am_payload(), HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")

    for response in (bare, basic):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="alert intake"'
    assert nothing_written()


def test_an_unknown_token_is_401(token):
    response = post(token + "x", am_payload())

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The token is unknown or has been revoked."


def test_a_revoked_token_is_401_and_writes_nothing(srelead):
    source, token = make_source(srelead)
    intake_source_revoke(actor=srelead, source=source)

    response = post(token, am_payload())

    assert response.status_code == 401
    assert nothing_written()


def test_a_notification_sent_again_with_a_token_not_its_sources_is_401(token, srelead):
    post(token, am_payload())
    _, other = make_source(srelead, name="Prometheus staging")

    unknown = post(token + "x", am_payload())
    others = post(other, am_payload())

    assert unknown.status_code == 401
    # The other source has no such group: its notification is new there, not a repeat.
    assert others.status_code == 200 and others.json()["opened"] is True


def test_a_notification_sent_again_after_its_source_is_revoked_is_401(token, srelead):
    post(token, am_payload())
    source = IntakeSource.objects.get()
    intake_source_revoke(actor=srelead, source=source)

    response = post(token, am_payload())

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The token is unknown or has been revoked."


def test_a_recorded_event_sent_to_the_other_kinds_endpoint_is_403(srelead):
    _, generic = make_source(srelead, kind="generic", name="Checker")
    alert = am_alert()
    event = {
        "key": am_payload()["groupKey"],
        "fingerprint": alert["fingerprint"],
        "status": "firing",
        "title": "Checkout errors",
    }
    assert post(generic, event, url=GENERIC_URL).json()["opened"] is True

    response = post(generic, am_payload(alert))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "wrong_source_kind"


def test_a_bad_payload_with_an_unknown_token_is_401_not_400(token):
    response = post(token + "x", {"version": "3"})

    assert response.status_code == 401
    assert nothing_written()


def test_a_token_of_the_other_kind_is_403_naming_its_endpoint(srelead):
    _, generic = make_source(srelead, kind="generic", name="Checker")
    _, alertmanager = make_source(srelead)

    wrong = post(generic, am_payload())
    other_way = post(alertmanager, {"key": "k", "status": "firing", "title": "t"}, url=GENERIC_URL)

    assert wrong.status_code == other_way.status_code == 403
    assert wrong.json()["error"]["code"] == "wrong_source_kind"
    assert "/api/intake/generic" in wrong.json()["error"]["message"]
    assert nothing_written()


def test_a_session_is_neither_needed_nor_enough(token, client_for, srelead):
    signed_in = client_for(srelead)
    # A signed-in, verified session without the token: refused.
    refused = signed_in.post(ALERTMANAGER_URL, am_payload(), content_type="application/json")
    # A session that has not passed two-factor, with the token: the session is ignored.
    unverified = Client(enforce_csrf_checks=True)
    give_two_factor(srelead)
    unverified.force_login(srelead)
    accepted = post(token, am_payload(), client=unverified)

    assert refused.status_code == 401
    assert accepted.status_code == 200
    assert Incident.objects.count() == 1


def test_only_post_is_taken(token):
    response = Client().get(ALERTMANAGER_URL, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 405


def test_a_deactivated_intake_account_is_a_503_the_monitor_retries_and_nothing_is_written(token):
    from incidents.services.intake import intake_account

    account = intake_account()
    account.is_active = False
    account.save()

    response = post(token, am_payload())

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "intake_unavailable"
    assert nothing_written()


# --- The generic event ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"key": None}, {"key": ["This field is required."]}),
        ({"title": ""}, {"title": ["Must not be empty."]}),
        ({"status": "down"}, {"status": ["Must be one of firing, resolved, not 'down'."]}),
        ({"severity": "critical"}, {"severity": ["Must be one of P0, P1, P2, P3."]}),
        ({"labels": "team=payments"}, {"labels": ["Must be an object of strings, not a string."]}),
        ({"url": "ftp://x"}, {"url": ["Must be an http or https address."]}),
        (
            {
                "started_at": "2026-11-29T11:00:00Z",
                "ended_at": "2026-11-29T10:00:00Z",
                "status": "resolved",
            },
            {"ended_at": ["An event cannot end before it started."]},
        ),
    ],
)
def test_a_bad_generic_event_is_refused_naming_the_field(srelead, change, fields):
    _, token = make_source(srelead, kind="generic", name="Checker")
    event = {"key": "k", "status": "firing", "title": "Down"} | change
    event = {k: v for k, v in event.items() if v is not None}

    assert refused_fields(post(token, event, url=GENERIC_URL)) == fields
    assert nothing_written()
