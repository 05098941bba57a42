"""The account events log: append-only, carrying the audit context."""

import pytest

from bcp_portal.core.account_events import account_event_record
from bcp_portal.core.audit import audit_context
from bcp_portal.core.models import AccountEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_event_records_who_did_it_and_the_running_context():
    user, admin = UserFactory(), UserFactory()
    with audit_context(source="web", request_id="req-1", actor_id=admin.pk):
        event = account_event_record(
            user=user, kind=AccountEvent.Kind.PASSWORD_SET_BY_STAFF, actor=admin
        )
    event.refresh_from_db()
    assert (event.user, event.actor, event.source, event.request_id) == (
        user,
        admin,
        "web",
        "req-1",
    )


def test_an_event_cannot_be_changed_once_written():
    event = account_event_record(user=UserFactory(), kind=AccountEvent.Kind.PASSWORD_CHANGED)
    event.detail = {"forged": True}
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown account event kind"):
        account_event_record(user=UserFactory(), kind="made_up")


def test_the_admin_shows_an_event_and_its_history_page_without_an_error(client_for):
    # The events keep no history of their own: a history admin answered 500 on this page.
    root = UserFactory(is_staff=True, is_superuser=True)
    event = account_event_record(user=root, kind=AccountEvent.Kind.PASSWORD_CHANGED)
    client = client_for(root)

    change = client.get(f"/admin/core/accountevent/{event.pk}/change/")
    history = client.get(f"/admin/core/accountevent/{event.pk}/history/")

    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert history.status_code == 200
