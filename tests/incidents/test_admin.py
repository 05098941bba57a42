"""The incidents' admin: the SRE Lead edits incident types through their service."""

from __future__ import annotations

import pytest

from incidents.models import IncidentType
from tests.conftest import make_persona
from tests.incidents.factories import declare

pytestmark = pytest.mark.django_db


def test_the_sre_lead_edits_an_incident_type_s_expected_rto_in_the_admin(client_for):
    lead = make_persona("srelead")
    lead.is_staff = True
    lead.save()
    kind = IncidentType.objects.get(key="security-incident")
    client = client_for(lead)
    url = f"/admin/incidents/incidenttype/{kind.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v not in (None, False)}
    data["expected_rto_minutes"] = "180"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    kind.refresh_from_db()
    assert kind.expected_rto_minutes == 180
    assert kind.history.latest().history_user == lead
    # The types page then shows the type's own RTO instead of the organisation's target.
    page = client.get("/incidents/types/").content.decode()
    assert "Edit in the admin" in page


def test_an_sre_may_not_edit_incident_types_anywhere(client_for):
    sre = make_persona("sre")
    sre.is_staff = True
    sre.save()
    kind = IncidentType.objects.get(key="other")
    response = client_for(sre).post(
        f"/admin/incidents/incidenttype/{kind.pk}/change/", {"name": "Renamed"}
    )
    assert response.status_code == 403
    assert IncidentType.objects.get(key="other").name == "Other"


def test_the_incident_changelist_searches_by_reference(client_for):
    lead = make_persona("srelead")
    lead.is_staff = True
    lead.save()
    incident = declare(lead, title="Ledger down")
    declare(lead, title="Search slow")
    page = client_for(lead).get("/admin/incidents/incident/", {"q": incident.reference})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Ledger down" in body and "Search slow" not in body
