"""The incident pages: who may read and write, what the list, detail and forms show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from bcp_portal.catalogue.models import Service
from bcp_portal.core.submissions import FORM_TOKEN_FIELD
from incidents.models import Incident, TimelineEntry
from tests.factories import ServiceFactory
from tests.incidents.factories import declare, incident_type

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def declare_form(**changes) -> dict:
    data = {
        "title": "Checkout returns 500",
        "incident_type": incident_type("application-outage").pk,
        "severity": "P1",
        "business_impact": "critical",
        "detected_at": "2026-11-20T09:50",
        "description": "Every payment fails.",
    }
    data.update(changes)
    return data


# --- who may do what -----------------------------------------------------------------------


def test_an_sre_declares_an_incident_from_the_page(client_for, sre):
    service = ServiceFactory(name="Checkout")
    with time_machine.travel(NOW, tick=False):
        client = client_for(sre)
        response = client.post(
            "/incidents/new/", declare_form(services=[service.pk], responders=[sre.pk])
        )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.pk}/"
    assert incident.severity == "P1"
    assert incident.created_by == sre
    assert list(incident.services.all()) == [service]
    assert list(incident.responders.all()) == [sre]
    assert incident.timeline.get().kind == TimelineEntry.Kind.STATUS


def test_the_declare_form_defaults_detection_to_now(client_for, sre):
    with time_machine.travel(NOW, tick=False):
        page = client_for(sre).get("/incidents/new/").content.decode()
    assert 'value="2026-11-20T10:00"' in page


def test_an_auditor_reads_incidents_but_cannot_declare_or_change_one(client_for, sre, auditor):
    incident = declare(sre, title="Primary database down")
    client = client_for(auditor)
    assert "Primary database down" in client.get("/incidents/").content.decode()
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Primary database down" in page
    assert "Change severity" not in page and "Add to the timeline" not in page
    assert client.get("/incidents/new/").status_code == 403
    assert client.post("/incidents/new/", declare_form()).status_code == 403
    assert (
        client.post(f"/incidents/{incident.pk}/status/", {"status": "responding"}).status_code
        == 403
    )
    assert client.post(f"/incidents/{incident.pk}/timeline/", {"event": "x"}).status_code == 403
    assert Incident.objects.count() == 1
    assert incident.timeline.count() == 1


def test_someone_without_a_role_is_refused_every_incident_page(client_for, sre, outsider):
    incident = declare(sre)
    client = client_for(outsider)
    for url in ("/incidents/", f"/incidents/{incident.pk}/", "/incidents/types/"):
        assert client.get(url).status_code == 403, url


# --- the list ------------------------------------------------------------------------------


def test_the_list_filters_by_severity_service_status_and_search(client_for, sre):
    checkout = ServiceFactory(name="Checkout")
    declare(sre, title="Checkout down", severity="P0", services=[checkout])
    declare(sre, title="Slow search", severity="P3", description="elastic latency")
    client = client_for(sre)

    def titles(query: str) -> list[str]:
        response = client.get(f"/incidents/?{query}")
        assert response.status_code == 200
        return [i.title for i in response.context["page"].object_list]

    assert titles("severity=P0") == ["Checkout down"]
    assert titles(f"service={checkout.pk}") == ["Checkout down"]
    assert titles("q=latency") == ["Slow search"]
    assert titles("status=closed") == []
    assert sorted(titles("open=1")) == ["Checkout down", "Slow search"]


def test_the_list_filters_by_the_day_of_detection(client_for, sre):
    declare(sre, title="Old", detected_at=NOW - timedelta(days=40))
    declare(sre, title="Recent", detected_at=NOW - timedelta(days=1))
    with time_machine.travel(NOW, tick=False):
        response = client_for(sre).get(
            "/incidents/?detected_from=2026-11-01&detected_to=2026-11-30"
        )
    assert [i.title for i in response.context["page"].object_list] == ["Recent"]


def test_a_period_ending_before_it_starts_is_an_error_naming_its_end(client_for, sre):
    response = client_for(sre).get("/incidents/?detected_from=2026-11-30&detected_to=2026-11-01")
    assert response.status_code == 400
    assert 'id="detected_to-error"' in response.content.decode()


def test_the_empty_list_says_how_to_declare(client_for, sre, auditor):
    assert "Declare one" in client_for(sre).get("/incidents/").content.decode()
    page = client_for(auditor).get("/incidents/").content.decode()
    assert "No incident has been declared." in page and "Declare one" not in page


@pytest.mark.parametrize("rows", [2, 30])
def test_the_list_query_count_does_not_grow_with_rows(
    client_for, sre, rows, django_assert_num_queries
):
    services = [ServiceFactory(), ServiceFactory()]
    for n in range(rows):
        declare(sre, title=f"Incident {n}", services=services, commander=sre)
    client = client_for(sre)
    client.get("/incidents/")
    # session, user, 2FA device, profile, permissions, count, rows, their services, the
    # filter choices (types, services)
    with django_assert_num_queries(10):
        assert client.get("/incidents/").status_code == 200


# --- declaring: bad input and double submits ----------------------------------------------


def test_a_declaration_sent_twice_writes_one_incident(client_for, sre):
    client = client_for(sre)
    token = client.get("/incidents/new/").context["form"][FORM_TOKEN_FIELD].value()
    data = declare_form(**{FORM_TOKEN_FIELD: token})
    first = client.post("/incidents/new/", data)
    second = client.post("/incidents/new/", data)
    assert Incident.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": ""}, "title"),
        ({"title": "two\nlines"}, "title"),
        ({"incident_type": "999999"}, "incident_type"),
        ({"severity": "P9"}, "severity"),
        ({"detected_at": "not a time"}, "detected_at"),
        ({"detected_at": "9999-01-01T10:00"}, "detected_at"),
        ({"started_at": "2026-11-20T09:55"}, "detected_at"),
        ({"affected_users": "-3"}, "affected_users"),
        ({"revenue_impact": "1e40"}, "revenue_impact"),
        ({"services": "abc"}, "services"),
        ({"services": "99999999999999999999"}, "services"),
        ({"responders": "99999999999999999999"}, "responders"),
        ({"commander": "2147483648"}, "commander"),
    ],
)
def test_a_refused_declaration_names_the_field_and_keeps_the_input(client_for, sre, changes, field):
    response = client_for(sre).post("/incidents/new/", declare_form(**changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert 'value="Every payment fails."' not in response.content.decode()  # a text area
    assert "Every payment fails." in response.content.decode()
    assert Incident.objects.count() == 0


# --- the incident page ---------------------------------------------------------------------


def test_the_page_compares_the_actual_rto_with_each_service_and_the_type(client_for, sre):
    checkout = ServiceFactory(
        name="Checkout", rto_target_minutes=30, rto_max_minutes=90,
        rpo_target_minutes=5, rpo_max_minutes=15,
    )  # fmt: skip
    search = ServiceFactory(
        name="Search", rto_target_minutes=120, rto_max_minutes=240,
        rpo_target_minutes=60, rpo_max_minutes=240,
    )  # fmt: skip
    incident = declare(
        sre,
        type_key="application-outage",  # expected RTO 60 min
        detected_at=NOW - timedelta(hours=2),
        started_at=NOW - timedelta(hours=2, minutes=10),
        services=[checkout, search],
    )
    with time_machine.travel(NOW, tick=False):
        from incidents.services.lifecycle import incident_set_status

        incident_set_status(
            actor=sre, incident=incident, status="restored", at=NOW - timedelta(minutes=50)
        )
        response = client_for(sre).get(f"/incidents/{incident.pk}/")
    objectives = response.context["objectives"]
    # restored 80 minutes after the onset
    assert objectives.rto_actual == 80
    assert objectives.time_to_detect == 10
    assert [(row.label, row.verdict) for row in objectives.rto] == [
        ("Checkout", "within max tolerable"),
        ("Search", "within target"),
        ("Type: Complete application outage", "over"),
    ]
    assert {row.verdict for row in objectives.rpo} == {"unknown"}
    page = response.content.decode()
    assert "1 h 20 min" in page
    assert 'data-testid="rpo-actual"><span class="text-muted">unknown</span>' in page


def test_a_type_without_its_own_rto_is_measured_against_the_organisation_target(client_for, sre):
    incident = declare(sre, type_key="security-incident")
    objectives = client_for(sre).get(f"/incidents/{incident.pk}/").context["objectives"]
    assert objectives.rto[-1].label == "Organisation target"
    assert objectives.rto[-1].target == 240
    assert objectives.rto[-1].verdict == "unknown"  # not restored yet


def test_the_timeline_reads_time_event_action_and_owner(client_for, sre):
    incident = declare(sre)
    client = client_for(sre)
    response = client.post(
        f"/incidents/{incident.pk}/timeline/",
        {"event": "Failed over to the replica", "action_taken": "Promoted db-2"},
    )
    assert response.status_code == 302
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert '<th scope="col">Time</th><th scope="col">Event</th>' in page
    assert "Failed over to the replica" in page and "Promoted db-2" in page
    entry = incident.timeline.get(kind=TimelineEntry.Kind.NOTE)
    assert entry.owner == sre


def test_a_timeline_entry_without_an_event_is_refused_keeping_the_action(client_for, sre):
    incident = declare(sre)
    response = client_for(sre).post(
        f"/incidents/{incident.pk}/timeline/", {"event": "", "action_taken": "Paged the DBA"}
    )
    assert response.status_code == 400
    assert "event" in response.context["entry_form"].errors
    assert "Paged the DBA" in response.content.decode()
    assert incident.timeline.count() == 1


def test_htmx_adds_a_timeline_entry_and_answers_with_the_timeline_alone(client_for, sre):
    incident = declare(sre)
    client = client_for(sre)
    response = client.post(
        f"/incidents/{incident.pk}/timeline/", {"event": "Vendor called"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('<section id="timeline"') and "Vendor called" in page
    assert "<nav" not in page
    # The row was the confirmation: no stale "Added" message waits for the next page.
    assert "Added to the timeline" not in client.get(f"/incidents/{incident.pk}/").content.decode()


def test_htmx_gets_a_refused_entry_back_in_place_with_its_error_and_input(client_for, sre):
    incident = declare(sre)
    response = client_for(sre).post(
        f"/incidents/{incident.pk}/timeline/",
        {"event": "", "action_taken": "Paged the DBA"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    # htmx swaps only a 2xx answer in: the refusal is said in the fragment itself.
    assert response.status_code == 200
    assert page.startswith('<section id="timeline"')
    assert "This field is required." in page and "Paged the DBA" in page
    assert incident.timeline.count() == 1


def test_clearing_the_restore_time_of_a_restored_incident_is_refused_on_its_field(client_for, sre):
    from incidents.services.lifecycle import incident_set_status

    incident = declare(sre, detected_at=NOW - timedelta(hours=1))
    with time_machine.travel(NOW, tick=False):
        incident_set_status(actor=sre, incident=incident, status="restored")
        client = client_for(sre)
        form = client.get(f"/incidents/{incident.pk}/edit/").context["form"]
        data = {name: form[name].value() for name in form.fields}
        data = {k: v for k, v in data.items() if v not in (None, False)}
        data.update({"restored_at": "", "title": "Typed again", "detected_at": "2026-11-20T09:00"})
        response = client.post(f"/incidents/{incident.pk}/edit/", data)
    assert response.status_code == 200
    assert "re-open it instead" in str(response.context["form"].errors["restored_at"])
    assert 'value="Typed again"' in response.content.decode()
    incident.refresh_from_db()
    assert incident.restored_at is not None


def test_a_timeline_entry_in_the_future_keeps_its_time(client_for, sre):
    incident = declare(sre, detected_at=NOW - timedelta(hours=1))
    with time_machine.travel(NOW, tick=False):
        client_for(sre).post(
            f"/incidents/{incident.pk}/timeline/", {"event": "Noted", "at": "2026-11-20T09:30"}
        )
    entry = incident.timeline.get(kind=TimelineEntry.Kind.NOTE)
    assert entry.at == NOW - timedelta(minutes=30)


def test_status_moves_forward_with_a_time_and_then_re_opens_with_a_reason(client_for, sre):
    incident = declare(sre, detected_at=NOW - timedelta(hours=1))
    client = client_for(sre)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/incidents/{incident.pk}/").content.decode()
        assert 'value="responding"' in page and 'value="closed"' in page
        assert 'value="detected"' not in page
        response = client.post(
            f"/incidents/{incident.pk}/status/",
            {"status": "restored", "at": "2026-11-20T09:40"},
        )
        assert response.status_code == 302
        incident.refresh_from_db()
        assert incident.status == "restored"
        assert incident.restored_at == NOW - timedelta(minutes=20)
        page = client.get(f"/incidents/{incident.pk}/").content.decode()
        assert 'data-testid="reopen-form"' in page
        refused = client.post(f"/incidents/{incident.pk}/reopen/", {"reason": ""})
        assert refused.status_code == 400
        assert "reason" in refused.context["reopen_form"].errors
        client.post(f"/incidents/{incident.pk}/reopen/", {"reason": "Errors are back"})
    incident.refresh_from_db()
    assert incident.status == "responding" and incident.restored_at is None
    assert incident.timeline.filter(action_taken="Errors are back").exists()


def test_a_status_move_back_or_before_detection_is_refused_naming_the_field(client_for, sre):
    incident = declare(sre, detected_at=NOW - timedelta(hours=1))
    client = client_for(sre)
    with time_machine.travel(NOW, tick=False):
        early = client.post(
            f"/incidents/{incident.pk}/status/",
            {"status": "restored", "at": "2026-11-20T08:00", "note": "kept note"},
        )
        assert early.status_code == 400
        assert "at" in early.context["status_form"].errors
        assert "kept note" in early.content.decode()
        bogus = client.post(f"/incidents/{incident.pk}/status/", {"status": "gone"})
        assert bogus.status_code == 400
        assert "status" in bogus.context["status_form"].errors
        client.post(f"/incidents/{incident.pk}/status/", {"status": "mitigated"})
        back = client.post(f"/incidents/{incident.pk}/status/", {"status": "responding"})
        assert back.status_code == 400
        assert 'id="status-error"' in back.content.decode()
    incident.refresh_from_db()
    assert incident.status == "mitigated"


def test_a_severity_change_needs_a_reason_and_lands_on_the_timeline(client_for, sre):
    incident = declare(sre, severity="P2")
    client = client_for(sre)
    refused = client.post(f"/incidents/{incident.pk}/severity/", {"severity": "P0"})
    assert refused.status_code == 400
    assert "reason" in refused.context["severity_form"].errors
    same = client.post(f"/incidents/{incident.pk}/severity/", {"severity": "P2", "reason": "x"})
    assert same.status_code == 400 and "severity" in same.context["severity_form"].errors
    client.post(f"/incidents/{incident.pk}/severity/", {"severity": "P0", "reason": "Data loss"})
    incident.refresh_from_db()
    assert incident.severity == "P0"
    assert incident.timeline.filter(kind="severity", action_taken="Data loss").exists()


def test_editing_times_in_an_impossible_order_names_the_field_and_keeps_the_input(client_for, sre):
    incident = declare(sre, detected_at=NOW - timedelta(hours=1), title="DB down")
    client = client_for(sre)
    form = client.get(f"/incidents/{incident.pk}/edit/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "title": "DB down, replica lagging",
            "detected_at": "2026-11-20T09:00",
            "acknowledged_at": "2026-11-20T08:30",
            "services": [],
            "responders": [],
        }
    )
    data = {k: v for k, v in data.items() if v not in (None, False)}
    response = client.post(f"/incidents/{incident.pk}/edit/", data)
    assert response.status_code == 200
    assert "acknowledged_at" in response.context["form"].errors
    assert 'value="DB down, replica lagging"' in response.content.decode()
    incident.refresh_from_db()
    assert incident.title == "DB down" and incident.acknowledged_at is None


def test_editing_the_facts_saves_them_with_history(client_for, sre):
    incident = declare(sre, detected_at=NOW - timedelta(hours=1), title="DB down")
    service = ServiceFactory(name="Ledger")
    client = client_for(sre)
    form = client.get(f"/incidents/{incident.pk}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    data.update(
        {
            "title": "Ledger DB down",
            "detected_at": "2026-11-20T09:00",
            "services": [service.pk],
            "rpo_actual_minutes": "12",
            "rpo_basis": "wal",
        }
    )
    response = client.post(f"/incidents/{incident.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    incident.refresh_from_db()
    assert incident.title == "Ledger DB down" and incident.rpo_actual_minutes == 12
    assert list(incident.services.all()) == [service]
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Ledger DB down" in page and "12 min" in page


@pytest.mark.parametrize("rows", [2, 30])
def test_the_incident_page_query_count_does_not_grow_with_rows(
    client_for, sre, rows, django_assert_num_queries
):
    services = [ServiceFactory() for _ in range(rows)]
    incident = declare(sre, services=services, responders=[sre], commander=sre)
    from incidents.services.lifecycle import incident_update, timeline_add

    for n in range(rows):
        timeline_add(actor=sre, incident=incident, event=f"Step {n}")
        incident_update(actor=sre, incident=incident, title=f"Title {n}")
    client = client_for(sre)
    client.get(f"/incidents/{incident.pk}/")
    with django_assert_num_queries(COUNT_DETAIL):
        assert client.get(f"/incidents/{incident.pk}/").status_code == 200


# session, user, 2FA device, profile, permissions, the incident (type, commander), its
# services, responders, timeline (owners), the organisation's targets, the history, the
# names the history shows (types, people), the owner choices of the quick entry.
# The page, its escalation (3), communication drafts (1) and alerts (1) included.
COUNT_DETAIL = 19


def test_the_types_page_shows_expected_rto_or_the_organisation_target(client_for, auditor):
    page = client_for(auditor).get("/incidents/types/").content.decode()
    assert "Primary database outage" in page and "2 h" in page and "4.1.1" in page
    assert "organisation target: 4 h" in page
    assert "Edit in the admin" not in page


def test_a_closed_incident_offers_no_status_move_but_a_re_open(client_for, sre):
    from incidents.services.lifecycle import incident_set_status

    incident = declare(sre, detected_at=NOW - timedelta(hours=1))
    with time_machine.travel(NOW, tick=False):
        incident_set_status(actor=sre, incident=incident, status="closed")
        page = client_for(sre).get(f"/incidents/{incident.pk}/").content.decode()
    assert 'data-testid="status-form"' not in page
    assert 'data-testid="reopen-form"' in page
    assert "Closed on 2026-11-20" in page


def test_a_move_on_an_unknown_incident_is_not_found(client_for, sre):
    client = client_for(sre)
    assert client.post("/incidents/999999/status/", {"status": "closed"}).status_code == 404
    assert client.get("/incidents/999999/").status_code == 404
    assert client.get("/incidents/99999999999999999999/").status_code == 404


@pytest.mark.parametrize("value", ["99999999999999999999", "0", "-1", "1\x00", "\u0661"])
def test_an_id_no_row_can_have_is_refused_without_asking_the_database(
    db, django_assert_num_queries, value
):
    # SQLite, the demo's database, raised OverflowError (a 500) on `pk__in` with such an id.
    from bcp_portal.core.forms import BoundedModelMultipleChoiceField

    field = BoundedModelMultipleChoiceField(queryset=Service.objects.all())
    with django_assert_num_queries(0), pytest.raises(ValidationError) as refused:
        field.clean([value])
    assert refused.value.code == "invalid_pk_value"
