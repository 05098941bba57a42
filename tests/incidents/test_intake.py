"""Alert intake: Alertmanager groups become incidents (issue #10, item 11; docs/alert-intake.md)."""

from __future__ import annotations

import datetime as dt
from datetime import UTC

import pytest
from django.contrib.auth.models import User

from incidents.models import (
    AlertGroup,
    Incident,
    IntakeAlert,
    TimelineEntry,
)
from incidents.services import lifecycle
from incidents.services.intake import INTAKE_USERNAME
from tests.factories import ServiceFactory
from tests.incidents.intake_factories import (
    GENERIC_URL,
    am_alert,
    am_payload,
    make_source,
    post,
    set_mappings,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def source(srelead):
    return make_source(srelead)


def test_firing_then_resolved_then_firing_again_is_one_incident_with_three_entries(source, frozen):
    _, token = source
    first = post(token, am_payload(am_alert()))
    frozen.move_to(NOW + dt.timedelta(minutes=10), tick=False)
    resolved = post(
        token,
        am_payload(am_alert(status="resolved", ends_at="2026-11-29T12:09:00Z")),
    )
    frozen.move_to(NOW + dt.timedelta(minutes=20), tick=False)
    again = post(token, am_payload(am_alert(starts_at="2026-11-29T12:19:30Z")))

    assert [r.status_code for r in (first, resolved, again)] == [200, 200, 200]
    incident = Incident.objects.get()
    assert first.json()["opened"] is True
    assert first.json()["incident"] == incident.reference
    assert again.json() == {
        "incident": incident.reference,
        "opened": False,
        "recorded": {"firing": 1, "resolved": 0},
        "unchanged": 0,
        "ignored": 0,
    }
    events = list(incident.timeline.order_by("at", "pk").values_list("kind", "event"))
    assert events == [
        (TimelineEntry.Kind.STATUS, "Incident declared (P3, Detected)"),
        (
            TimelineEntry.Kind.ALERT,
            "Alert resolved: Checkout answers 5xx to more than 5% of requests",
        ),
        (
            TimelineEntry.Kind.ALERT,
            "Alert firing again: Checkout answers 5xx to more than 5% of requests",
        ),
    ]
    assert incident.status == Incident.Status.DETECTED  # a resolved alert restores nothing
    assert list(incident.intake_alerts.values_list("status", flat=True)) == [
        "firing",
        "resolved",
        "firing",
    ]


def test_the_incident_opens_with_the_alerts_onset_title_and_a_description(source):
    _, token = source
    post(token, am_payload(am_alert(), commonAnnotations={"summary": "Checkout is failing"}))

    incident = Incident.objects.get()
    assert incident.title == "Checkout is failing"
    assert incident.started_at == dt.datetime(2026, 11, 29, 11, 50, 0, 123456, tzinfo=UTC)
    assert incident.detected_at == NOW
    assert incident.incident_type.key == "application-outage"  # the source's default
    assert "Opened by alert intake from Prometheus prod." in incident.description
    assert incident.created_by.username == INTAKE_USERNAME


def test_the_same_firing_alert_sent_again_adds_nothing(source):
    _, token = source
    post(token, am_payload(am_alert()))
    repeat = post(token, am_payload(am_alert()))

    assert repeat.status_code == 200
    assert repeat.json()["unchanged"] == 1
    assert repeat.json()["recorded"] == {"firing": 0, "resolved": 0}
    assert Incident.objects.count() == 1
    assert TimelineEntry.objects.count() == 1
    assert IntakeAlert.objects.count() == 1


def test_a_resolved_alert_sent_again_adds_nothing(source):
    _, token = source
    post(token, am_payload(am_alert()))
    body = am_payload(am_alert(status="resolved", ends_at="2026-11-29T11:58:00Z"))
    post(token, body)
    post(token, body)

    assert TimelineEntry.objects.filter(kind=TimelineEntry.Kind.ALERT).count() == 1


def test_another_alert_of_the_group_adds_an_entry_to_the_same_incident(source):
    _, token = source
    post(token, am_payload(am_alert()))
    both = am_payload(
        am_alert(),
        am_alert(fingerprint="aaaabbbbccccdddd", summary="Checkout latency above 2 s"),
    )
    answer = post(token, both)

    assert answer.json()["recorded"] == {"firing": 1, "resolved": 0}
    incident = Incident.objects.get()
    assert incident.timeline.filter(kind=TimelineEntry.Kind.ALERT).get().event == (
        "Alert firing: Checkout latency above 2 s"
    )


def test_another_group_opens_another_incident(source):
    _, token = source
    post(token, am_payload(am_alert()))
    post(token, am_payload(am_alert(), group_key='{}:{alertname="DiskFull"}'))

    assert Incident.objects.count() == 2
    assert AlertGroup.objects.count() == 2


def test_after_its_incident_is_closed_a_new_firing_opens_a_new_incident(source, sre):
    _, token = source
    post(token, am_payload(am_alert()))
    first = Incident.objects.get()
    lifecycle.incident_set_status(actor=sre, incident=first, status="closed")
    post(token, am_payload(am_alert(status="resolved", ends_at="2026-11-29T11:59:00Z")))
    post(token, am_payload(am_alert(starts_at="2026-11-29T11:59:50Z")))

    second = Incident.objects.exclude(pk=first.pk).get()
    assert second.status == Incident.Status.DETECTED
    assert AlertGroup.objects.get().incident == second
    # The resolution after closing went to the closed incident's timeline, for its post-mortem.
    assert first.timeline.filter(kind=TimelineEntry.Kind.ALERT).count() == 1
    assert first.intake_alerts.count() == 2
    assert second.intake_alerts.count() == 1


def test_the_same_firing_alert_sent_again_after_its_incident_closed_opens_a_new_one(source, sre):
    _, token = source
    post(token, am_payload(am_alert()))
    first = Incident.objects.get()
    lifecycle.incident_set_status(actor=sre, incident=first, status="closed")

    again = post(token, am_payload(am_alert()))

    second = Incident.objects.exclude(pk=first.pk).get()
    assert again.json()["opened"] is True
    assert again.json()["incident"] == second.reference
    assert second.intake_alerts.count() == 1


def test_an_alert_recorded_in_one_group_is_new_in_another(source):
    _, token = source
    post(token, am_payload(am_alert()))

    other = post(token, am_payload(am_alert(), group_key='{}:{alertname="DiskFull"}'))

    assert other.json()["opened"] is True
    assert other.json()["unchanged"] == 0
    assert Incident.objects.count() == 2


def test_a_notification_sent_again_with_one_new_alert_records_only_that_one(source):
    _, token = source
    post(token, am_payload(am_alert()))

    answer = post(token, am_payload(am_alert(), am_alert(fingerprint="b" * 16)))

    assert answer.json()["recorded"] == {"firing": 1, "resolved": 0}
    assert answer.json()["unchanged"] == 1
    assert IntakeAlert.objects.count() == 2


def test_the_intake_account_is_read_with_its_permissions_in_one_query(
    source, django_assert_num_queries
):
    from incidents.services.intake import intake_account

    _, token = source
    post(token, am_payload(am_alert()))  # makes the account

    with django_assert_num_queries(1):
        account = intake_account()
        assert account.has_perm("incidents.add_timelineentry")
        assert not account.has_perm("incidents.delete_incident")
    assert account == User.objects.get(username=INTAKE_USERNAME)
    assert account.get_all_permissions() == User.objects.get(pk=account.pk).get_all_permissions()


def test_a_restored_incident_keeps_its_group_and_is_not_reopened_by_an_alert(source, sre):
    _, token = source
    post(token, am_payload(am_alert()))
    incident = Incident.objects.get()
    lifecycle.incident_set_status(actor=sre, incident=incident, status="restored")
    post(token, am_payload(am_alert(status="resolved", ends_at="2026-11-29T11:58:00Z")))
    post(token, am_payload(am_alert(starts_at="2026-11-29T11:59:00Z")))

    incident.refresh_from_db()
    assert Incident.objects.count() == 1
    assert incident.status == Incident.Status.RESTORED
    assert incident.timeline.filter(kind=TimelineEntry.Kind.ALERT).count() == 2


def test_a_resolved_alert_of_an_unknown_group_opens_nothing(source):
    _, token = source
    answer = post(token, am_payload(am_alert(status="resolved", ends_at="2026-11-29T11:58:00Z")))

    assert answer.status_code == 200
    assert answer.json()["ignored"] == 1
    assert not Incident.objects.exists()


def test_the_first_matching_mapping_row_gives_severity_service_and_type(srelead):
    checkout = ServiceFactory(name="Checkout")
    source, token = make_source(srelead)
    from incidents.models import IncidentType

    database = IncidentType.objects.get(key="database-outage")
    set_mappings(
        srelead,
        source,
        [
            {"label": "team", "value": "payments", "severity": "P1", "service": checkout},
            {"label": "severity", "value": "critical", "severity": "P0", "incident_type": database},
            {"label": "severity", "value": "*", "severity": "P2"},
        ],
    )
    post(token, am_payload(am_alert(labels={"team": "payments"})))
    post(token, am_payload(am_alert(), group_key="other"))
    post(token, am_payload(am_alert(labels={"severity": "warning"}), group_key="third"))
    post(token, am_payload(am_alert(labels={"severity": ""}) | {}, group_key="fourth"))

    by_group = {g.key: g.incident for g in AlertGroup.objects.select_related("incident")}
    payments = by_group['{}/{severity=~"critical|warning"}:{alertname="HighErrorRate"}']
    assert (payments.severity, list(payments.services.all())) == ("P1", [checkout])
    assert payments.incident_type.key == "application-outage"  # row 1 names no type
    assert (by_group["other"].severity, by_group["other"].incident_type) == ("P0", database)
    assert by_group["third"].severity == "P2"
    assert by_group["fourth"].severity == "P2"  # "*" matches any value, the empty one too


def test_a_source_read_by_its_token_brings_its_mapping_table_in_order_in_one_query(
    srelead, django_assert_num_queries
):
    from incidents.models import IntakeMapping, IntakeSource
    from incidents.services.intake import intake_source_for_token

    source, token = make_source(srelead)
    bare, bare_token = make_source(srelead, name="Without a table")
    payments = ServiceFactory(name="Payments API")
    rows = [
        {"label": "tier", "value": "1", "severity": "P0", "service": payments},
        {"label": "team", "value": "*", "severity": ""},
        {"label": "severity", "value": "critical", "severity": "P1"},
    ]
    set_mappings(srelead, source, rows)
    set_mappings(srelead, source, [rows[2], rows[0], rows[1]])  # reordered in place

    with django_assert_num_queries(2):  # one each
        read = intake_source_for_token(IntakeSource.hash(token))
        read_bare = intake_source_for_token(IntakeSource.hash(bare_token))
    assert intake_source_for_token(IntakeSource.hash(token + "x")) is None

    expected = list(IntakeMapping.objects.filter(source=source).order_by("position"))
    assert [(m.pk, m.position, m.label, m.value, m.severity, m.service_id) for m in expected] == [
        (m.pk, m.position, m.label, m.value, m.severity, m.service_id) for m in read.mapping_table
    ]
    assert [m.label for m in read.mapping_table] == ["severity", "tier", "team"]
    assert (read.pk, read.name, read.kind, read.default_severity) == (
        source.pk,
        source.name,
        source.kind,
        "P3",
    )
    assert read_bare.pk == bare.pk and read_bare.mapping_table == []


def test_nothing_matching_gets_the_source_default_severity(srelead):
    source, token = make_source(srelead, default_severity="P1")
    set_mappings(srelead, source, [{"label": "team", "value": "search", "severity": "P3"}])
    post(token, am_payload(am_alert()))

    assert Incident.objects.get().severity == "P1"


def test_a_more_severe_firing_alert_raises_the_incident_never_lowers_it(srelead):
    source, token = make_source(srelead)
    set_mappings(srelead, source, [{"label": "tier", "value": "1", "severity": "P0"}])
    post(token, am_payload(am_alert()))
    post(token, am_payload(am_alert(), am_alert(fingerprint="b" * 16, labels={"tier": "1"})))
    post(token, am_payload(am_alert(fingerprint="c" * 16)))

    incident = Incident.objects.get()
    assert incident.severity == "P0"
    assert incident.timeline.filter(kind=TimelineEntry.Kind.SEVERITY).count() == 1


def test_the_intake_account_cannot_sign_in_and_holds_only_intake_permissions(source):
    _, token = source
    post(token, am_payload(am_alert()))

    account = User.objects.get(username=INTAKE_USERNAME)
    assert not account.has_usable_password()
    assert not account.groups.exists()
    assert account.get_all_permissions() == {
        "incidents.add_incident",
        "incidents.change_incident",
        "incidents.add_timelineentry",
    }


def test_history_rows_say_the_api_and_the_request_and_the_intake_account(source):
    _, token = source
    answer = post(token, am_payload(am_alert()))

    incident = Incident.objects.get()
    row = incident.history.get()
    assert row.history_source == "api"
    assert row.history_request_id == answer["X-Request-ID"]
    assert row.history_user.username == INTAKE_USERNAME
    assert IntakeAlert.objects.get().request_id == answer["X-Request-ID"]


def test_a_generic_event_opens_and_resolves_like_an_alert(srelead):
    payments = ServiceFactory(name="Payments API")
    _, token = make_source(srelead, kind="generic", name="Uptime checker")
    event = {
        "key": "payments-health",
        "status": "firing",
        "title": "Payments API health check failing",
        "severity": "P1",
        "service": "Payments API",
        "labels": {"region": "eu-west-1"},
        "started_at": "2026-11-29T11:55:00Z",
        "url": "https://uptime.example/checks/12",
    }
    first = post(token, event, url=GENERIC_URL)
    repeat = post(token, event, url=GENERIC_URL)
    resolved = post(token, event | {"status": "resolved"}, url=GENERIC_URL)

    assert [r.status_code for r in (first, repeat, resolved)] == [200, 200, 200]
    incident = Incident.objects.get()
    assert (incident.title, incident.severity) == ("Payments API health check failing", "P1")
    assert list(incident.services.all()) == [payments]
    assert repeat.json()["unchanged"] == 1
    assert incident.timeline.count() == 2
    alert = incident.intake_alerts.order_by("pk").last()
    assert (alert.status, alert.ends_at) == ("resolved", NOW)
