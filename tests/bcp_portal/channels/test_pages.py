"""The inbox, its unread count in the navigation bar, preferences, targets, failing deliveries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bcp_portal.core import outbox, roles
from bcp_portal.core.channels.selectors import (
    failing_deliveries_panel,
    load_profile_with_unread,
    unread_count,
)
from bcp_portal.core.models import InboxItem, NotificationTarget, OutboxMessage
from tests.conftest import make_persona
from tests.dashboard import dashboard_page
from tests.factories import OutboxMessageFactory, UserFactory

pytestmark = pytest.mark.django_db
INBOX = "/inbox/"
TARGETS = "/notifications/targets/"
FAILING = "/notifications/failing/"


def items(user, count: int, **extra) -> list[InboxItem]:
    return [
        InboxItem.objects.create(user=user, subject=f"Message {n}", url="/actions/", **extra)
        for n in range(count)
    ]


# --- The inbox ----------------------------------------------------------------------------


def test_the_inbox_lists_only_ones_own_messages_newest_first(client_for, sre):
    items(sre, 2)
    InboxItem.objects.create(user=UserFactory(), subject="Someone else's")
    page = client_for(sre).get(INBOX)
    assert page.status_code == 200
    text = page.content.decode()
    assert text.index("Message 1") < text.index("Message 0")
    assert "Someone else" not in text


def test_an_empty_inbox_says_how_messages_get_there(client_for, sre):
    text = client_for(sre).get(INBOX).content.decode()
    assert "Your inbox is empty" in text
    assert reverse("account-settings") in text


def test_marking_one_read_leaves_the_others_unread_and_opening_follows_its_link(client_for, sre):
    first, second = items(sre, 2)
    client = client_for(sre)
    response = client.post(reverse("notifications:inbox-read", args=[first.pk]), {"open": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/actions/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_read
    assert not second.is_read


def test_an_external_link_is_not_followed_from_the_inbox(client_for, sre):
    item = InboxItem.objects.create(user=sre, subject="x", url="https://evil.example/")
    response = client_for(sre).post(
        reverse("notifications:inbox-read", args=[item.pk]), {"open": "1"}
    )
    assert response["Location"] == INBOX


def test_nobody_marks_someone_elses_message_read(client_for, sre):
    [other] = items(UserFactory(), 1)
    response = client_for(sre).post(reverse("notifications:inbox-read", args=[other.pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert not other.is_read


def test_mark_all_read_empties_the_unread_count_of_ones_own_inbox_only(client_for, sre):
    items(sre, 3)
    [others] = items(UserFactory(), 1)
    client = client_for(sre)
    response = client.post(reverse("notifications:inbox-read-all"), follow=True)
    assert "3 message(s) marked read." in response.content.decode()
    assert unread_count(sre) == 0
    others.refresh_from_db()
    assert not others.is_read


def test_the_unread_filter_shows_only_unread_and_a_bad_value_names_it(client_for, sre):
    items(sre, 1)
    InboxItem.objects.create(user=sre, subject="Old news", read_at="2026-01-01T00:00Z")
    client = client_for(sre)
    text = client.get(INBOX, {"unread": "1"}).content.decode()
    assert "Message 0" in text
    assert "Old news" not in text
    bad = client.get(INBOX, {"unread": "maybe"})
    assert bad.status_code == 400
    assert "unread" in bad.content.decode()


def test_the_inbox_pages_by_25(client_for, sre):
    items(sre, 26)
    client = client_for(sre)
    assert client.get(INBOX).content.decode().count('data-testid="inbox-item"') == 25
    assert client.get(INBOX, {"page": "2"}).content.decode().count('data-testid="inbox-item"') == 1
    assert client.get(INBOX, {"page": "9"}).status_code == 400


@pytest.mark.parametrize("rows", [2, 30])
def test_the_inbox_page_takes_the_same_queries_for_2_and_30_rows(
    client_for, sre, rows, django_assert_num_queries
):
    items(sre, rows)
    client = client_for(sre)
    # session, user, 2FA device, profile with the unread count, permissions, page count, rows
    with django_assert_num_queries(7):
        assert client.get(INBOX).status_code == 200


# --- The unread count in the navigation bar ---------------------------------------------


def test_the_navigation_bar_shows_the_unread_count(client_for, sre):
    items(sre, 3)
    items(sre, 2, read_at="2026-01-01T00:00Z")
    text = dashboard_page(client_for(sre))
    assert '<span class="badge rounded-pill text-bg-light" data-testid="nav-badge">3<' in text


def test_the_navigation_bar_says_99_plus_beyond_99_unread(client_for, sre):
    items(sre, 101)
    text = client_for(sre).get("/contacts/").content.decode()
    assert 'data-testid="nav-badge">99+<' in text


def test_no_badge_when_nothing_is_unread(client_for, sre):
    assert 'data-testid="nav-badge"' not in client_for(sre).get("/contacts/").content.decode()


def test_the_unread_count_is_one_query(sre, django_assert_num_queries):
    items(sre, 30)
    with django_assert_num_queries(1):
        assert unread_count(sre) == 30


def test_the_unread_count_comes_with_the_profile_capped(django_assert_num_queries):
    user = UserFactory()
    items(user, 120)
    InboxItem.objects.create(user=user, subject="read", read_at="2026-01-01T00:00Z")
    fresh = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        load_profile_with_unread(fresh)
        assert fresh.profile.time_zone == "UTC"
        assert unread_count(fresh) == 100  # shown as "99+"


@pytest.mark.parametrize("unread", [0, 2, 30])
def test_a_page_costs_the_same_queries_whatever_the_unread_count(
    client_for, sre, unread, django_assert_num_queries
):
    items(sre, unread)
    client = client_for(sre)
    # session, user, 2FA device, profile (which carries the unread count: no query of its
    # own), permissions, the contacts' count and rows; the same as without an inbox.
    with django_assert_num_queries(6):
        assert client.get("/contacts/").status_code == 200


# --- Preferences --------------------------------------------------------------------------


def test_a_person_chooses_the_inbox_on_their_settings_page_and_gets_messages_there(
    client_for, sre, mailoutbox
):
    client = client_for(sre)
    form = client.get(reverse("account-settings")).content.decode()
    assert 'name="notify_channels"' in form
    response = client.post(
        reverse("account-settings"),
        {"time_zone": "UTC", "date_format": "iso", "notify_channels": "inapp,email"},
    )
    assert response.status_code == 302
    sre.profile.refresh_from_db()
    assert sre.profile.notify_channels == "inapp,email"

    message = outbox.outbox_add(key="k", subject="Drill tomorrow", body="b", to_user=sre)
    outbox.deliver(message.pk)
    assert mailoutbox == []
    assert dashboard_page(client).count('data-testid="nav-badge">1<') == 1


def test_a_channel_order_not_on_offer_is_refused_naming_the_field(client_for, sre):
    response = client_for(sre).post(
        reverse("account-settings"),
        {"time_zone": "UTC", "date_format": "iso", "notify_channels": "inapp"},
    )
    assert response.status_code == 200
    assert "notify_channels" in response.content.decode()
    sre.profile.refresh_from_db()
    assert sre.profile.notify_channels == "email"


# --- Targets: the SRE Lead's ----------------------------------------------------------------


def target_form(**extra) -> dict:
    return {
        "name": "ops-chat",
        "kind": "slack",
        "url": "http://127.0.0.1:9/hook",
        "secret": "whsec-0123456789",
        "enabled": "on",
    } | extra


@pytest.mark.parametrize("persona", ["sre", "engmgr", "cto", "auditor", "outsider"])
def test_only_the_sre_lead_sets_targets(client_for, persona):
    client = client_for(make_persona(persona))
    assert client.get(TARGETS).status_code == 403
    assert client.post("/notifications/targets/new/", target_form()).status_code == 403
    assert not NotificationTarget.objects.exists()


def test_the_sre_lead_adds_a_target_whose_secret_is_never_shown_back_nor_kept_in_history(
    client_for, srelead
):
    client = client_for(srelead)
    assert 'type="password"' in client.get("/notifications/targets/new/").content.decode()
    response = client.post("/notifications/targets/new/", target_form(), follow=True)
    assert response.status_code == 200
    target = NotificationTarget.objects.get()
    assert target.secret == "whsec-0123456789"
    assert "webhook:ops-chat" in response.content.decode()
    assert "whsec-0123456789" not in response.content.decode()
    edit = client.get(reverse("notifications:target-edit", args=[target.pk]))
    assert "whsec-0123456789" not in edit.content.decode()
    history = target.history.get()
    assert not hasattr(history, "secret")
    assert history.history_user == srelead


def test_editing_a_target_without_a_secret_keeps_the_saved_one(client_for, srelead):
    target = NotificationTarget.objects.create(
        name="ops-chat", kind="slack", url="http://127.0.0.1:9/", secret="kept"
    )
    response = client_for(srelead).post(
        reverse("notifications:target-edit", args=[target.pk]),
        target_form(secret="", url="http://127.0.0.1:10/", enabled=""),
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.secret, target.url, target.enabled) == ("kept", "http://127.0.0.1:10/", False)


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "ftp://127.0.0.1/"]
)
def test_a_refused_address_is_a_form_error_that_keeps_what_was_typed(client_for, srelead, url):
    response = client_for(srelead).post("/notifications/targets/new/", target_form(url=url))
    assert response.status_code == 200
    text = response.content.decode()
    assert response.context["form"].errors["url"]
    assert 'value="ops-chat"' in text
    assert not NotificationTarget.objects.exists()


# --- Failing deliveries ---------------------------------------------------------------------


def test_the_sre_lead_sees_the_messages_no_channel_could_deliver(client_for, srelead):
    OutboxMessageFactory(
        subject="Page the primary",
        status=OutboxMessage.Status.PENDING,
        attempts=2,
        channels=["pagerduty:oncall", "email"],
        last_error="pagerduty:oncall oncall: HTTP 500",
    )
    OutboxMessageFactory(subject="Given up", status=OutboxMessage.Status.FAILED, attempts=5)
    OutboxMessageFactory(subject="Not tried yet", status=OutboxMessage.Status.PENDING)
    OutboxMessageFactory(subject="Delivered", status=OutboxMessage.Status.SENT, attempts=1)
    text = client_for(srelead).get(FAILING).content.decode()
    assert text.count('data-testid="failing-row"') == 2
    assert "Page the primary" in text and "HTTP 500" in text and "Given up" in text
    assert "Not tried yet" not in text and "Delivered" not in text
    dashboard = dashboard_page(client_for(srelead))
    assert 'data-testid="failing-count">2<' in dashboard


def test_an_empty_failing_list_says_all_is_well(client_for, srelead):
    assert "Every notification was delivered" in client_for(srelead).get(FAILING).content.decode()


@pytest.mark.parametrize("rows", [2, 30])
def test_the_failing_list_takes_the_same_queries_for_2_and_30_rows(
    client_for, srelead, rows, django_assert_num_queries
):
    OutboxMessageFactory.create_batch(rows, status=OutboxMessage.Status.FAILED, attempts=5)
    client = client_for(srelead)
    # session, user, 2FA device, profile (with the unread count), permissions, count, rows
    with django_assert_num_queries(7):
        assert client.get(FAILING).status_code == 200


def test_the_failing_deliveries_panel_is_the_sre_leads_and_one_query(
    django_assert_num_queries,
):
    lead = make_persona("srelead")
    lead.has_perm("core.view_outboxmessage")  # permissions are read once per user
    OutboxMessageFactory.create_batch(3, status=OutboxMessage.Status.FAILED)
    with django_assert_num_queries(1):
        assert failing_deliveries_panel(lead).context == {"count": 3}
    assert failing_deliveries_panel(make_persona("sre")) is None


# --- The API list ---------------------------------------------------------------------------


def test_the_api_lists_ones_own_inbox_and_filters_unread(client_for, sre):
    items(sre, 2)
    InboxItem.objects.create(user=sre, subject="Old", read_at="2026-01-01T00:00Z")
    InboxItem.objects.create(user=UserFactory(), subject="Someone else's")
    client = client_for(sre)
    everything = client.get("/api/v1/inbox").json()["results"]
    assert [i["subject"] for i in everything] == ["Old", "Message 1", "Message 0"]
    unread = client.get("/api/v1/inbox", {"unread": "true"}).json()["results"]
    assert [(i["subject"], i["is_read"]) for i in unread] == [
        ("Message 1", False),
        ("Message 0", False),
    ]


@pytest.mark.parametrize("rows", [2, 30])
def test_the_api_list_takes_the_same_queries_for_2_and_30_rows(
    client_for, sre, rows, django_assert_num_queries
):
    items(sre, rows)
    client = client_for(sre)
    with django_assert_num_queries(5):
        response = client.get("/api/v1/inbox")
    assert len(response.json()["results"]) == rows


def test_a_role_addressed_message_lands_in_each_holders_inbox():
    members = [UserFactory(username=f"lead-{n}", roles=[roles.SRE_LEAD]) for n in range(2)]
    for member in members:
        member.profile.notify_channels = "inapp,email"
        member.profile.save()
    message = outbox.outbox_add(key="k", subject="s", body="b", to_role=roles.SRE_LEAD)
    assert outbox.deliver(message.pk) == OutboxMessage.Status.SENT
    assert [unread_count(m) for m in members] == [1, 1]


def test_the_admin_shows_a_target_and_its_history_without_its_secret(client_for, srelead):
    srelead.is_staff = True
    srelead.save()
    target = NotificationTarget.objects.create(
        name="ops-chat", kind="slack", url="http://127.0.0.1:9/", secret="never-shown-42"
    )
    client = client_for(srelead)
    for name in ("change", "history"):
        page = client.get(reverse(f"admin:core_notificationtarget_{name}", args=[target.pk]))
        assert page.status_code == 200, name
        assert "never-shown-42" not in page.content.decode()


def test_a_user_without_a_profile_costs_no_second_query(django_assert_num_queries):
    user = UserFactory()
    user.profile.delete()
    fresh = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        load_profile_with_unread(fresh)
        assert not hasattr(fresh, "profile")
