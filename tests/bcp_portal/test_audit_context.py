import re

from django.urls import reverse

from bcp_portal.contacts.models import Contact
from bcp_portal.contacts.services import contact_create
from bcp_portal.core.audit import SYSTEM_USERNAME, Source, audit_context
from tests.factories import ContactFactory

OUR_ID = re.compile(r"^[0-9a-f]{32}$")


def test_a_web_change_records_our_request_id_and_keeps_the_clients_apart(client_for, srelead):
    """Issue #8, item 11: the audit trail's request id is ours; the client's claim is kept
    in a column of its own, never passed off as ours."""
    response = client_for(srelead).post(
        "/contacts/new/",
        {"name": "Vendor desk", "kind": "vendor", "is_active": "on"},
        HTTP_X_REQUEST_ID="ci-run-12345",
    )
    ours = response["X-Request-ID"]
    row = Contact.objects.get(name="Vendor desk").history.get()

    assert OUR_ID.match(ours) and ours != "ci-run-12345"
    assert (row.history_source, row.history_request_id) == (Source.WEB, ours)
    assert row.history_client_request_id == "ci-run-12345"
    assert row.history_user == srelead


def test_a_client_request_id_that_is_too_long_or_not_plain_is_not_kept(client_for, srelead):
    client = client_for(srelead)
    for name, header in (("Long", "x" * 65), ("Odd", "id\u202ewith-controls"), ("Tag", "<b>")):
        client.post("/contacts/new/", {"name": name, "kind": "vendor"}, HTTP_X_REQUEST_ID=header)
        row = Contact.objects.get(name=name).history.get()
        assert row.history_client_request_id == "", name
        assert OUR_ID.match(row.history_request_id), name


def test_a_request_without_an_id_gets_ours_in_the_response(client_for, srelead):
    response = client_for(srelead).get("/contacts/")

    assert OUR_ID.match(response["X-Request-ID"])


def test_an_admin_change_is_recorded_with_the_admin_source(client_for, srelead):
    srelead.is_staff = True
    srelead.save()
    contact = ContactFactory(name="Old name")
    url = reverse("admin:contacts_contact_change", args=[contact.pk])

    response = client_for(srelead).post(
        url, {"name": "New name", "kind": contact.kind, "is_active": "on"}
    )

    assert response.status_code == 302, response.content
    row = contact.history.latest()
    assert (row.name, row.history_source, row.history_user) == ("New name", "admin", srelead)


def test_a_change_made_by_a_task_is_attributed_to_the_system_user(db):
    with audit_context(source=Source.TASK, request_id="task-1"):
        contact = Contact.objects.create(name="Regulator")
    row = contact.history.get()
    assert row.history_user.username == SYSTEM_USERNAME
    assert (row.history_source, row.history_request_id) == (Source.TASK, "task-1")


def test_a_service_call_names_its_actor_even_outside_a_request(srelead):
    with audit_context(source=Source.COMMAND):
        contact = contact_create(actor=srelead, name="Board")
    assert contact.history.get().history_user == srelead


def test_the_system_user_cannot_log_in(client, db):
    from django.contrib.auth import get_user_model

    system = get_user_model().objects.get(username=SYSTEM_USERNAME)
    assert not system.is_active and not system.has_usable_password()
