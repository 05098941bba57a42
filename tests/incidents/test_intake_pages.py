"""The SRE Lead's intake pages: sources with a token shown once, revoking, the mapping
table; and the alerts panel the incident page includes."""

from __future__ import annotations

import datetime as dt
import html
import re
from datetime import UTC

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from incidents.models import Incident, IncidentType, IntakeMapping, IntakeSource
from tests.factories import ServiceFactory
from tests.incidents.intake_factories import am_alert, am_payload, make_source, post

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"bcpi_[A-Za-z0-9_-]{43}")
FORM_TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')


def new_source_form(client) -> dict:
    page = client.get("/incidents/intake/new/")
    return {
        "name": "Prometheus prod",
        "kind": "alertmanager",
        "default_incident_type": IncidentType.objects.get(key="application-outage").pk,
        "default_severity": "P2",
        "submission_token": FORM_TOKEN.search(page.content.decode()).group(1),
    }


def test_a_new_source_shows_its_token_once_with_the_alertmanager_config(client_for, srelead):
    client = client_for(srelead)
    created = client.post("/incidents/intake/new/", new_source_form(client))

    assert created.status_code == 200
    token = TOKEN.search(created.content.decode()).group(0)
    source = IntakeSource.objects.get()
    assert source.token_hash == IntakeSource.hash(token)
    assert source.prefix == token[:12]
    assert "credentials: " + token in created.content.decode()
    assert "no-store" in created["Cache-Control"]
    detail = client.get(source.get_absolute_url()).content.decode()
    assert token not in detail
    assert source.prefix in detail
    assert post(token, am_payload(am_alert())).status_code == 200


def test_the_curl_example_checks_the_token_and_opens_no_incident(client_for, srelead):
    client = client_for(srelead)
    page = client.post("/incidents/intake/new/", new_source_form(client)).content.decode()
    token = TOKEN.search(page).group(0)
    body = html.unescape(re.search(r"-d '(\{.*?\})'</code>", page, re.DOTALL).group(1))

    answer = post(token, body)

    assert answer.status_code == 200
    assert answer.json()["ignored"] == 1
    assert not Incident.objects.exists()


def test_a_source_form_sent_twice_makes_one_source(client_for, srelead):
    client = client_for(srelead)
    form = new_source_form(client)
    client.post("/incidents/intake/new/", form)
    repeat = client.post("/incidents/intake/new/", form)

    assert IntakeSource.objects.count() == 1
    assert repeat.status_code == 302
    assert repeat["Location"] == IntakeSource.objects.get().get_absolute_url()


def test_a_refused_source_form_keeps_what_was_typed_and_names_the_field(client_for, srelead):
    make_source(srelead, name="Prometheus prod")
    client = client_for(srelead)
    response = client.post("/incidents/intake/new/", new_source_form(client))

    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert 'value="Prometheus prod"' in response.content.decode()
    assert IntakeSource.objects.count() == 1


def test_revoking_a_source_on_its_page_stops_its_token(client_for, srelead):
    source, token = make_source(srelead)
    response = client_for(srelead).post(f"/incidents/intake/{source.pk}/revoke/")

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.revoked_at is not None
    assert post(token, am_payload()).status_code == 401


def test_only_the_sre_lead_manages_sources_and_others_are_refused(
    client_for, srelead, sre, outsider
):
    source, _ = make_source(srelead)
    for person in (sre, outsider):
        client = client_for(person)
        assert client.get("/incidents/intake/").status_code == 403
        assert client.post(f"/incidents/intake/{source.pk}/revoke/").status_code == 403
    assert client_for(srelead).get("/incidents/intake/").status_code == 200
    source.refresh_from_db()
    assert source.revoked_at is None


def mapping_post(rows: list[dict]) -> dict:
    data = {"map-TOTAL_FORMS": str(len(rows)), "map-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"map-{index}-{key}"] = value
    return data


def test_the_mapping_table_is_saved_in_the_order_shown_and_blank_rows_are_dropped(
    client_for, srelead
):
    source, _ = make_source(srelead)
    checkout = ServiceFactory(name="Checkout")
    client = client_for(srelead)
    rows = [
        {"label": "team", "value": "payments", "severity": "P1", "service": checkout.pk},
        {"label": "", "value": ""},
        {"label": "severity", "value": "*", "severity": "P2"},
    ]
    response = client.post(source.get_absolute_url(), mapping_post(rows))

    assert response.status_code == 302
    saved = list(source.mappings.values_list("position", "label", "value", "severity", "service"))
    assert saved == [(1, "team", "payments", "P1", checkout.pk), (2, "severity", "*", "P2", None)]

    # Removing the first row moves the second up, keeping its row (and history).
    rows = [{"label": "severity", "value": "*", "severity": "P3"}]
    client.post(source.get_absolute_url(), mapping_post(rows))
    assert list(source.mappings.values_list("position", "severity")) == [(1, "P3")]
    assert IntakeMapping.history.filter(history_type="-").count() == 1


def test_a_mapping_row_without_its_value_is_refused_keeping_the_input(client_for, srelead):
    source, _ = make_source(srelead)
    rows = [{"label": "team", "value": "", "severity": "P1"}]
    response = client_for(srelead).post(source.get_absolute_url(), mapping_post(rows))

    assert response.status_code == 400
    assert 'value="team"' in response.content.decode()
    assert "Give the value to match" in response.content.decode()
    assert not source.mappings.exists()


@pytest.mark.parametrize("count", [2, 30])
def test_the_source_list_costs_the_same_queries_for_2_or_30_sources(
    client_for, srelead, django_assert_num_queries, count
):
    for n in range(count):
        make_source(srelead, name=f"Source {n}")
    client = client_for(srelead)

    # What every signed-in page reads (session, user, permissions...), then the sources'
    # (capped) count and one page of them in one query.
    with django_assert_num_queries(7):
        response = client.get("/incidents/intake/")

    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == min(count, 25) + 1


def test_a_page_number_that_names_no_page_is_a_400_naming_page(client_for, srelead):
    make_source(srelead)
    response = client_for(srelead).get("/incidents/intake/?page=abc")

    assert response.status_code == 400
    assert "page" in response.context["page_error"]


# --- The incident page's alerts panel (templates/incidents/includes/detail_alerts.html) -------

PANEL = Template('{% include "incidents/includes/detail_alerts.html" %}')


def panel_for(user, incident) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return PANEL.render(Context({"incident": incident, "user": user, "request": request}))


def test_the_alerts_panel_lists_an_incident_s_alerts_to_whoever_views_incidents(
    srelead, sre, outsider, time_machine
):
    time_machine.move_to(dt.datetime(2026, 11, 29, 12, 0, tzinfo=UTC), tick=False)
    _, token = make_source(srelead)
    post(token, am_payload(am_alert()))
    post(token, am_payload(am_alert(status="resolved", ends_at="2026-11-29T11:59:00Z")))
    incident = Incident.objects.get()

    shown = panel_for(sre, incident)
    assert "Checkout answers 5xx to more than 5% of requests" in shown
    assert shown.count("<tr>") == 3
    assert "Prometheus prod" in shown
    assert 'href="http://prometheus.example:9090/graph?g0.expr=rate"' in shown
    assert panel_for(outsider, incident).strip() == ""


@pytest.mark.parametrize("count", [2, 30])
def test_the_alerts_panel_reads_its_rows_in_one_query(
    srelead, sre, django_assert_num_queries, time_machine, count
):
    time_machine.move_to(dt.datetime(2026, 11, 29, 12, 0, tzinfo=UTC), tick=False)
    _, token = make_source(srelead)
    alerts = [am_alert(fingerprint=f"{n:016x}") for n in range(count)]
    post(token, am_payload(*alerts))
    incident = Incident.objects.get()
    sre.get_all_permissions()  # the page has read them already

    with django_assert_num_queries(1):
        shown = panel_for(sre, incident)

    assert shown.count("<tr>") == count + 1
