import datetime as dt

from bcp_portal.contacts.models import Contact
from tests.factories import ServiceFactory


def test_times_are_shown_in_the_users_own_zone(client_for, sre):
    service = ServiceFactory()
    row = service.history.get()
    row.history_date = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    row.save()
    sre.profile.time_zone = "America/New_York"
    sre.profile.save()
    page = client_for(sre).get(service.get_absolute_url()).content.decode()
    assert "2026-07-01 08:00 EDT" in page


def test_a_user_changes_their_time_zone(client_for, sre):
    response = client_for(sre).post("/account/settings/", {"time_zone": "Europe/Paris"})
    assert response.status_code == 302
    sre.profile.refresh_from_db()
    assert sre.profile.time_zone == "Europe/Paris"


def test_an_unknown_time_zone_is_refused_and_the_input_kept(client_for, sre):
    response = client_for(sre).post(
        "/account/settings/", {"time_zone": "Mars/Olympus", "phone": "+353 1 555"}
    )
    page = response.content.decode()
    assert "not a known IANA time zone" in page and 'value="+353 1 555"' in page


def test_only_the_sre_lead_adds_contacts(client_for, sre, srelead):
    data = {"name": "Square support", "kind": "vendor", "is_active": "on"}
    assert client_for(sre).post("/contacts/new/", data).status_code == 403
    assert client_for(srelead).post("/contacts/new/", data).status_code == 302
    assert Contact.objects.filter(name="Square support").count() == 1


def test_the_contact_directory_searches_by_organisation(client_for, sre):
    Contact.objects.create(name="Ana", organisation="Stripe")
    Contact.objects.create(name="Bo", organisation="Twilio")
    page = client_for(sre).get("/contacts/", {"q": "twil"}).content.decode()
    assert "Bo (Twilio)" in page and "Ana" not in page


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get("/services/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_the_403_page_explains_the_refusal(client_for, sre):
    page = client_for(sre).get("/contacts/new/").content.decode()
    assert "You are not allowed to do that" in page


def test_the_time_zone_field_suggests_every_iana_zone(client_for, sre):
    page = client_for(sre).get("/account/settings/").content.decode()
    assert 'list="time-zones"' in page
    assert '<option value="America/New_York">' in page and '<option value="Asia/Tokyo">' in page
