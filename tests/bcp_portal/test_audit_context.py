from bcp_portal.contacts.models import Contact
from bcp_portal.contacts.services import contact_create
from bcp_portal.core.audit import SYSTEM_USERNAME, Source, audit_context


def test_a_web_change_records_the_request_id_the_client_sent(client_for, srelead):
    response = client_for(srelead).post(
        "/contacts/new/",
        {"name": "Vendor desk", "kind": "vendor", "is_active": "on"},
        HTTP_X_REQUEST_ID="req-12345",
    )
    assert response["X-Request-ID"] == "req-12345"
    row = Contact.objects.get(name="Vendor desk").history.get()
    assert (row.history_source, row.history_request_id) == (Source.WEB, "req-12345")
    assert row.history_user == srelead


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
