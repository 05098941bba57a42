import datetime as dt

from django.conf import settings

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
    response = client_for(sre).post("/accounts/settings/", {"time_zone": "Europe/Paris"})
    assert response.status_code == 302
    sre.profile.refresh_from_db()
    assert sre.profile.time_zone == "Europe/Paris"


def test_an_unknown_time_zone_is_refused_and_the_input_kept(client_for, sre):
    response = client_for(sre).post(
        "/accounts/settings/", {"time_zone": "Mars/Olympus", "phone": "+353 1 555"}
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
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_403_page_explains_the_refusal(client_for, sre):
    page = client_for(sre).get("/contacts/new/").content.decode()
    assert "You are not allowed to do that" in page


def test_the_time_zone_field_suggests_every_iana_zone(client_for, sre):
    page = client_for(sre).get("/accounts/settings/").content.decode()
    assert 'list="time-zones"' in page
    assert '<option value="America/New_York">' in page and '<option value="Asia/Tokyo">' in page


def test_the_sign_in_pages_live_under_the_conventional_accounts_prefix(client, db):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/accounts/password/reset/").status_code == 200


def test_the_old_account_paths_redirect_permanently_to_accounts(client_for, sre):
    client = client_for(sre)
    for old, new in (
        ("/account/settings/", "/accounts/settings/"),
        ("/account/api-tokens/", "/accounts/api-tokens/"),
        ("/account/login/?next=/drills/", "/accounts/login/?next=/drills/"),
    ):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new)
    assert client.get("/account/settings/", follow=True).status_code == 200


def test_signing_out_lands_on_the_accounts_login_page(client_for, sre):
    response = client_for(sre).post("/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/")


def test_every_page_links_the_favicon_and_favicon_ico_leads_to_it(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (301, "/static/favicon.svg")
    assert (settings.BASE_DIR / "static" / "favicon.svg").read_text().startswith("<svg")
