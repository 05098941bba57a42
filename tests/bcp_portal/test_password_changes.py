"""Every password change is recorded, revokes the account's other credentials, and is told to
the owner when it was not them (issue #8, items 1 and 2)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.management.commands import changepassword
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken

from bcp_portal.core.models import AccountEvent, OutboxMessage
from drills.models import CalendarFeedToken
from tests.drills.factories import CalendarFeedTokenFactory
from tests.factories import UserFactory
from tests.twofactor import give_two_factor, totp_code

pytestmark = pytest.mark.django_db

OLD = "correct horse battery"  # what UserFactory sets
NEW = "a brand new passphrase"
Kind = AccountEvent.Kind
RESET_LINK = re.compile(r"/accounts/password/reset/[\w-]+/[\w-]+/")


@pytest.fixture
def ana():
    return UserFactory(username="ana", email="ana@example.org", first_name="Ana", last_name="Ruiz")


@pytest.fixture
def credentials(ana):
    """Ana's API token and calendar feed, with their raw secrets."""
    # Bare rows: how they were made is not what these tests watch (tokens made through the
    # service are recorded, tests/bcp_portal/test_token_events.py).
    token, raw_token = AuthToken.objects.create(ana, timedelta(days=30))
    feed_raw = CalendarFeedToken.new_token()
    feed = CalendarFeedTokenFactory(user=ana, raw=feed_raw)
    return {"token": token, "raw_token": raw_token, "feed": feed, "feed_raw": feed_raw}


def events(user, kind=None):
    rows = AccountEvent.objects.filter(user=user).order_by("id")
    return list(rows.filter(kind=kind) if kind else rows)


def fresh_code(user) -> str:
    """A code from the user's authenticator app (client_for gives them one)."""
    return totp_code(give_two_factor(user))


def change_own_password(client, user):
    """The password change form re-authenticates: the old password and a fresh code."""
    return client.post(
        reverse("password_change"),
        {
            "old_password": OLD,
            "new_password1": NEW,
            "new_password2": NEW,
            "otp_code": fresh_code(user),
        },
    )


def staff_confirmation(staff) -> dict:
    """What the admin's "set password" form asks of the staff member themself (issue #8)."""
    return {"password": OLD, "otp_code": fresh_code(staff)}


def assert_revoked(credentials):
    assert not AuthToken.objects.filter(digest=credentials["token"].digest).exists()
    credentials["feed"].refresh_from_db()
    assert credentials["feed"].revoked_at is not None


# --- by its owner -------------------------------------------------------------------------


def test_changing_my_password_revokes_my_tokens_and_feeds_and_lists_them_on_the_done_page(
    client_for, ana, credentials
):
    client = client_for(ana)

    response = change_own_password(client, ana)
    done = client.get(response.url)

    assert response.status_code == 302
    assert_revoked(credentials)
    page = done.content.decode()
    assert f"API token {credentials['raw_token'][:8]}…" in page
    assert f"Calendar feed {credentials['feed_raw'][:8]}…" in page


def test_a_change_by_its_owner_is_recorded_with_what_it_revoked_and_sends_no_mail(
    client_for, ana, credentials
):
    change_own_password(client_for(ana), ana)

    [changed] = events(ana, Kind.PASSWORD_CHANGED)
    [revoked] = events(ana, Kind.CREDENTIALS_REVOKED)
    assert changed.actor == ana
    assert changed.source == "web"
    labels = [item["label"] for item in revoked.detail["credentials"]]
    assert labels == [
        f"API token {credentials['raw_token'][:8]}…",
        f"Calendar feed {credentials['feed_raw'][:8]}… (drills i take part in)",
    ]
    assert changed.detail["revoked"] == revoked.detail["credentials"]
    assert not OutboxMessage.objects.exists()


def test_no_account_event_holds_a_revoked_secret(client_for, ana, credentials):
    change_own_password(client_for(ana), ana)

    stored = repr([(e.kind, e.detail) for e in AccountEvent.objects.all()])
    assert credentials["raw_token"] not in stored
    assert credentials["token"].digest not in stored
    assert credentials["feed_raw"] not in stored
    assert credentials["feed"].token_hash not in stored


def test_the_api_refuses_a_token_once_its_owner_changed_the_password(
    client, client_for, ana, credentials
):
    before = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {credentials['raw_token']}")

    change_own_password(client_for(ana), ana)
    after = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {credentials['raw_token']}")
    feed = client.get(reverse("drills:feed", args=[credentials["feed_raw"]]))

    assert before.status_code == 200
    assert after.status_code == 401
    assert feed.status_code == 404


def test_the_owner_keeps_their_session_and_every_other_session_ends(client_for, ana):
    changer, elsewhere = client_for(ana), client_for(ana)

    change_own_password(changer, ana)

    assert changer.get(reverse("account-settings")).status_code == 200
    assert elsewhere.get(reverse("account-settings")).status_code == 302


# --- through a reset link -----------------------------------------------------------------


def reset_through_link(client, mailoutbox, django_capture_on_commit_callbacks, email):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": email})
    link = RESET_LINK.search(mailoutbox[-1].body).group()
    form_url = client.get(link).url
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(form_url, {"new_password1": NEW, "new_password2": NEW})


def test_a_reset_through_the_mailed_link_revokes_credentials_records_and_tells_the_owner(
    client, ana, credentials, mailoutbox, django_capture_on_commit_callbacks
):
    response = reset_through_link(
        client, mailoutbox, django_capture_on_commit_callbacks, "ana@example.org"
    )
    complete = client.get(response.url)

    assert_revoked(credentials)
    [reset] = events(ana, Kind.PASSWORD_RESET)
    assert reset.actor is None
    assert reset.detail["via"] == "password_reset_confirm"
    told = mailoutbox[-1]
    assert told.subject == "Your BCP Portal password was changed"
    assert "through a password reset link" in told.body
    assert f"API token {credentials['raw_token'][:8]}…" in told.body
    assert f"Calendar feed {credentials['feed_raw'][:8]}…" in told.body
    assert f"API token {credentials['raw_token'][:8]}…" in complete.content.decode()


# --- by someone else ----------------------------------------------------------------------


def test_a_password_set_by_staff_in_the_admin_is_recorded_and_the_owner_is_told_by_whom(
    client_for, ana, credentials, mailoutbox, django_capture_on_commit_callbacks
):
    root = UserFactory(is_staff=True, is_superuser=True, first_name="Rory", last_name="Admin")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(root).post(
            reverse("admin:auth_user_password_change", args=[ana.pk]),
            {
                "usable_password": "true",
                "password1": NEW,
                "password2": NEW,
                **staff_confirmation(root),
            },
        )

    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.check_password(NEW)
    assert_revoked(credentials)
    [set_by_staff] = events(ana, Kind.PASSWORD_SET_BY_STAFF)
    assert set_by_staff.actor == root
    assert set_by_staff.detail["via"] == "admin:auth_user_password_change"
    [told] = mailoutbox
    assert told.to == ["ana@example.org"]
    assert "by Rory Admin, an administrator, not by you" in told.body
    # The staff member's own account is untouched.
    assert events(root) == []


def test_staff_disabling_a_password_in_the_admin_is_recorded_too(client_for, ana):
    root = UserFactory(is_staff=True, is_superuser=True)

    client_for(root).post(
        reverse("admin:auth_user_password_change", args=[ana.pk]),
        {"usable_password": "false", "unset-password": "1", **staff_confirmation(root)},
    )

    ana.refresh_from_db()
    assert not ana.has_usable_password()
    assert [e.kind for e in events(ana)] == [Kind.PASSWORD_SET_BY_STAFF]


def test_a_password_set_with_manage_py_changepassword_is_recorded_and_told(
    ana, credentials, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(changepassword.Command, "_get_pass", lambda self, prompt="": NEW)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("changepassword", "ana", stdout=io.StringIO())

    assert_revoked(credentials)
    [event] = events(ana, Kind.PASSWORD_SET_BY_STAFF)
    assert (event.actor, event.source, event.detail["via"]) == (None, "command", "server")
    [told] = mailoutbox
    assert "from the command line" in told.body


# --- what is not a change -----------------------------------------------------------------


def test_signing_in_and_saving_other_fields_record_nothing(client, ana, credentials):
    assert client.post(reverse("login"), {"username": "ana", "password": OLD}).status_code == 302
    ana.first_name = "Anna"
    ana.save()

    assert events(ana) == []
    assert AuthToken.objects.filter(user=ana).exists()


def test_a_hash_upgraded_by_django_at_sign_in_is_not_a_change(settings, ana, credentials):
    # Ana's hash was made with MD5 (the suite's hasher); a stronger one is now preferred, so
    # Django rehashes her unchanged password when she signs in.
    old_hash = ana.password
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]

    assert Client().post(reverse("login"), {"username": "ana", "password": OLD}).status_code == 302

    ana.refresh_from_db()
    assert ana.password != old_hash and ana.password.startswith("pbkdf2_sha256$")
    assert events(ana) == []
    assert AuthToken.objects.filter(user=ana).exists()


def test_a_new_account_s_first_password_is_not_a_change():
    user = UserFactory()

    assert events(user) == []
