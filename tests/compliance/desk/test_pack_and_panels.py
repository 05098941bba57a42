"""The notification pack (PDF) and the dashboard's clock panels."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.compliance.desk import factories as f
from tests.conftest import make_persona
from tests.dashboard import dashboard_load, dashboard_page

pytestmark = pytest.mark.django_db

PANELS = ("overdue-provisional", "running-clocks", "submissions-due")


@pytest.fixture
def dpo(db):
    return make_persona("dpo")


def pdf_text(response) -> str:
    data = b"".join(response.streaming_content)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # a table cell wraps its words over lines


def test_the_pack_holds_facts_obligations_submissions_and_a_timeline_in_time_order(client_for, dpo):
    now = timezone.now()
    incident = f.incident(title="Customer table exposed", detected_at=now - timedelta(hours=30))
    f.fact(incident, occurred_at=now - timedelta(hours=20), reason="The SOC told the DPO.")
    submitted = f.obligation(incident, status="submitted", stage_name="Initial notification")
    f.submission(
        submitted, submitted_at=now - timedelta(hours=2), reference_number="CNIL-2026-0042"
    )
    f.obligation(incident, stage_name="Intermediate report", provisional=True, verified=False)
    f.obligation(incident, stage_name="Old stage", status="not_applicable", reason="Below 4 h.")
    response = client_for(dpo).get(f"/incidents/{incident.pk}/notifications/pack.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"{incident.reference}_notifications.pdf" in response["Content-Disposition"]
    text = pdf_text(response)
    for expected in (
        "Dated facts",
        "The SOC told the DPO.",
        "Obligations and deadlines",
        "Intermediate report",
        "[PROVISIONAL]",
        "[UNVERIFIED]",
        "Below 4 h.",
        "CNIL-2026-0042",
        "Timeline",
    ):
        assert expected in text, expected
    timeline = text[text.rindex("Timeline") :]
    detection = timeline.index("Detection")
    aware = timeline.index("Controller aware")
    sent = timeline.index("Submitted: ")
    assert detection < aware < sent


@pytest.mark.parametrize("persona", ["sre", "srelead", "outsider"])
def test_those_who_may_not_read_the_clocks_get_no_pack(client_for, persona):
    incident = f.incident()
    url = f"/incidents/{incident.pk}/notifications/pack.pdf"
    assert client_for(make_persona(persona)).get(url).status_code == 403


def test_the_dpo_sees_the_three_clock_panels_with_the_soonest_clocks(client_for, dpo):
    incident = f.incident()
    f.obligation(incident, stage_name="Overdue stage", due_in=timedelta(hours=-1))
    f.obligation(incident, stage_name="Running stage", due_in=timedelta(hours=3))
    f.obligation(
        incident,
        stage_name="Waiting stage",
        due_in=None,
        anchor_at=None,
        waiting_for="the submission of Initial notification",
    )
    f.obligation(
        incident, stage_name="Provisional stage", due_in=timedelta(days=3), provisional=True
    )
    loaded = dashboard_load(client_for(dpo))
    for name in PANELS:
        assert loaded.loaded[f"/panels/{name}/"] == 200
    html = loaded.html
    assert "Overdue stage" in html and "Provisional stage" in html and "Running stage" in html
    assert 'data-due="' in html
    assert "js/countdown.js" in html


def test_a_clock_panel_says_so_when_nothing_runs(client_for, dpo):
    client = client_for(dpo)
    for name in PANELS:
        response = client.get(f"/panels/{name}/", headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert "Open the compliance desk" in response.content.decode()
    assert "No notification clock is running." in dashboard_page(client)


def test_the_submissions_due_panel_leaves_out_stages_whose_clock_has_not_started(client_for, dpo):
    incident = f.incident()
    f.obligation(incident, stage_name="Started stage", due_in=timedelta(hours=30))
    f.obligation(
        incident,
        stage_name="Waiting stage",
        due_in=None,
        anchor_at=None,
        waiting_for="the submission of Initial notification",
    )
    html = (
        client_for(dpo)
        .get("/panels/submissions-due/", headers={"HX-Request": "true"})
        .content.decode()
    )
    assert "Started stage" in html
    assert "Waiting stage" not in html


@pytest.mark.parametrize("persona", ["sre", "auditor", "cto"])
def test_other_roles_have_no_clock_panel(client_for, persona):
    f.obligation()
    loaded = dashboard_load(client_for(make_persona(persona)))
    for name in PANELS:
        assert f"/panels/{name}/" not in loaded.loaded


@pytest.mark.parametrize("count", [2, 20])
def test_a_clock_panel_costs_the_same_queries_whatever_the_rows(
    client_for, dpo, count, django_assert_num_queries
):
    for n in range(count):
        f.obligation(due_in=timedelta(hours=n - 3))
    client = client_for(dpo)
    client.get("/panels/running-clocks/", headers={"HX-Request": "true"})
    # session, user, 2FA device, profile, permissions (with the roles), the rows
    with django_assert_num_queries(6):
        client.get("/panels/running-clocks/", headers={"HX-Request": "true"})
