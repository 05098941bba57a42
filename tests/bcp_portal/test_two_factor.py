"""Two-factor (issue #8 item 12): signing in with a code, who must have it before changing
anything, tokens only after a code, re-authentication, backup codes, staff resets."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from bcp_portal.core import twofactor
from bcp_portal.core.models import AccountEvent, OutboxMessage
from tests.factories import ServiceFactory, UserFactory
from tests.twofactor import give_two_factor, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
T0 = datetime(2026, 3, 2, 9, 30, 5, tzinfo=UTC)
STEP = timedelta(seconds=30)  # a TOTP code is good once per 30-second step


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def password_only(user) -> Client:
    """A session signed in with the password alone (someone without two-factor)."""
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    return client


def events(user, kind) -> list[AccountEvent]:
    return list(AccountEvent.objects.filter(user=user, kind=kind))


# --- who must have it ----------------------------------------------------------------------


def test_staff_and_every_role_but_the_auditor_must_have_two_factor(personas, settings):
    required = {name: twofactor.two_factor_required_for(u) for name, u in personas.items()}

    assert required == {
        "sre": True,
        "srelead": True,
        "engmgr": True,
        "cto": True,
        "dpo": True,
        "legal": True,
        "auditor": False,
        "outsider": False,
    }
    assert twofactor.two_factor_required_for(UserFactory(is_staff=True))
    settings.TWO_FACTOR_REQUIRED = False
    assert not any(twofactor.two_factor_required_for(u) for u in personas.values())


def test_an_unverified_role_holder_reads_but_cannot_post_a_page(sre):
    client = password_only(sre)

    page = client.get(reverse("contacts:contact-list"))
    post = client.post(reverse("account-settings"), {"time_zone": "Europe/Paris"})

    assert page.status_code == 200
    assert b'data-testid="two-factor-banner"' in page.content
    assert post.status_code == 302 and post["Location"] == reverse("two-factor-setup")
    sre.profile.refresh_from_db()
    assert sre.profile.time_zone == "UTC"
    shown = client.get(post["Location"]).content.decode()
    assert "must set up two-factor authentication before it changes anything" in shown


def test_an_unverified_role_holder_cannot_post_to_the_api_but_reads_it(srelead):
    client = password_only(srelead)

    read = client.get(reverse("api:service-list"))
    write = client.post(
        reverse("api:service-list"), {"name": "Payments"}, content_type="application/json"
    )

    assert read.status_code == 200
    assert write.status_code == 403
    assert write.json()["error"]["code"] == "two_factor_required"
    assert "two-factor" in write.json()["error"]["message"]


def test_an_unverified_staff_member_cannot_change_anything_in_the_admin(db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = password_only(staff)
    service = ServiceFactory(name="Payments")

    index = client.get(reverse("admin:index"))
    change = client.post(
        reverse("admin:catalogue_service_change", args=[service.pk]), {"name": "Renamed"}
    )

    assert index.status_code == 200
    assert change.status_code == 302 and change["Location"] == reverse("two-factor-setup")
    service.refresh_from_db()
    assert service.name == "Payments"


def test_an_unverified_person_may_still_sign_out_and_set_up_two_factor(sre):
    client = password_only(sre)

    staff = password_only(UserFactory(is_staff=True))

    setup = client.get(reverse("two-factor-setup"))
    posted = client.post(reverse("two-factor-setup"), {"password": "wrong", "otp_code": "1"})
    out = client.post(reverse("logout"))
    admin_out = staff.post(reverse("admin:logout"))

    assert setup.status_code == 200
    assert posted.status_code == 200 and "That is not your password." in posted.content.decode()
    assert out.status_code == 302 and "_auth_user_id" not in client.session
    assert admin_out["Location"] == reverse("login") and "_auth_user_id" not in staff.session


def test_a_verified_role_holder_changes_things(client_for, sre):
    response = client_for(sre).post(reverse("account-settings"), {"time_zone": "Europe/Paris"})

    assert response.status_code == 302 and response["Location"] == reverse("account-settings")
    sre.profile.refresh_from_db()
    assert sre.profile.time_zone == "Europe/Paris"


def test_an_auditor_without_two_factor_reads_and_sees_no_banner(auditor):
    client = password_only(auditor)

    for url in (reverse("dashboard"), reverse("catalogue:service-list"), reverse("api:me")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"two-factor-banner" not in response.content


def test_with_the_setting_off_a_person_without_two_factor_changes_things(sre, settings):
    settings.TWO_FACTOR_REQUIRED = False
    client = password_only(sre)

    response = client.post(reverse("account-settings"), {"time_zone": "Europe/Paris"})

    assert response["Location"] == reverse("account-settings")


def test_a_session_that_never_gave_a_code_cannot_change_anything_once_a_device_exists(
    sre, settings
):
    settings.TWO_FACTOR_REQUIRED = False
    give_two_factor(sre)
    client = Client()
    client.force_login(sre)  # a session from before the device existed

    response = client.post(reverse("account-settings"), {"time_zone": "Europe/Paris"})

    assert response.status_code == 302 and response["Location"] == reverse("account-settings")
    sre.profile.refresh_from_db()
    assert sre.profile.time_zone == "UTC"


# --- signing in ----------------------------------------------------------------------------


def test_signing_in_with_two_factor_takes_the_password_then_a_code(sre, clock):
    app = give_two_factor(sre)
    client = Client()

    step1 = client.post(
        reverse("login") + "?next=/actions/", {"username": sre.username, "password": PASSWORD}
    )
    assert step1.status_code == 302 and step1["Location"].startswith(reverse("login-code"))
    # Not signed in yet: the password alone opens nothing.
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))

    step2 = client.post(step1["Location"], {"otp_code": totp_code(app)})

    assert step2.status_code == 302 and step2["Location"] == "/actions/"
    assert client.session[DEVICE_ID_SESSION_KEY] == app.persistent_id
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_wrong_code_signs_no_one_in_and_counts_as_a_failed_sign_in(sre, clock, settings):
    give_two_factor(sre)
    client = Client()
    client.post(reverse("login"), {"username": sre.username, "password": PASSWORD})

    response = client.post(reverse("login-code"), {"otp_code": "000000"})

    assert response.status_code == 200
    assert "not valid" in response.content.decode()
    assert "_auth_user_id" not in client.session
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        clock.shift(STEP * 4)  # past django-otp's growing delay after each wrong code
        last = client.post(reverse("login-code"), {"otp_code": "000000"})
    # The limit of wrong codes (django-axes counted them): back to the password step.
    assert last.status_code in (302, 429)
    assert "twofactor_pending" not in client.session


def test_the_code_step_expires(sre, clock, settings):
    app = give_two_factor(sre)
    client = Client()
    client.post(reverse("login"), {"username": sre.username, "password": PASSWORD})

    clock.shift(timedelta(seconds=settings.TWO_FACTOR_LOGIN_SECONDS + 1))
    response = client.post(reverse("login-code"), {"otp_code": totp_code(app)})

    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_the_admins_password_only_login_is_not_there(client, db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    give_two_factor(staff)

    get = client.get("/admin/login/?next=/admin/")
    post = client.post("/admin/login/", {"username": staff.username, "password": PASSWORD})

    assert get.status_code == 302 and get["Location"] == "/accounts/login/?next=/admin/"
    assert post.status_code == 405
    assert "_auth_user_id" not in client.session


def test_a_backup_code_signs_in_once(sre, clock):
    give_two_factor(sre, backup_codes=("abcd2345",))

    def sign_in_with(code):
        client = Client()
        client.post(reverse("login"), {"username": sre.username, "password": PASSWORD})
        return client, client.post(reverse("login-code"), {"otp_code": code})

    first_client, first = sign_in_with("ABCD 2345")  # spaces and case do not matter
    clock.shift(STEP * 4)
    _, again = sign_in_with("abcd2345")

    assert first.status_code == 302 and "_auth_user_id" in first_client.session
    assert again.status_code == 200 and "not valid" in again.content.decode()


# --- enrolment, backup codes, removal --------------------------------------------------------


def test_setting_up_two_factor_shows_a_qr_code_and_the_secret_then_backup_codes_once(sre, clock):
    client = password_only(sre)

    page = client.get(reverse("two-factor-setup"))
    device = TOTPDevice.objects.get(user=sre, confirmed=False)
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    secret = twofactor.totp_secret(device)
    assert secret in html
    assert secret.replace(" ", "") == base64.b32encode(device.bin_key).decode().rstrip("=")

    done = client.post(
        reverse("two-factor-setup"), {"password": PASSWORD, "otp_code": totp_code(device)}
    )

    codes = done.context["codes"]
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert "no-store" in done["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id  # verified now
    assert len(events(sre, AccountEvent.Kind.TWO_FACTOR_ENROLLED)) == 1
    assert not any(code in str(e.detail) for e in AccountEvent.objects.all() for code in codes)
    settings_page = client.get(reverse("account-settings")).content.decode()
    assert not any(code in settings_page for code in codes)
    assert client.post(reverse("account-settings"), {"time_zone": "UTC"}).status_code == 302


def test_setting_up_with_a_wrong_password_or_code_keeps_nothing_and_is_recorded(sre, clock):
    client = password_only(sre)
    client.get(reverse("two-factor-setup"))
    device = TOTPDevice.objects.get(user=sre)

    wrong_password = client.post(
        reverse("two-factor-setup"), {"password": "nope", "otp_code": totp_code(device)}
    )
    wrong_code = client.post(reverse("two-factor-setup"), {"password": PASSWORD, "otp_code": "1"})

    assert "That is not your password." in wrong_password.content.decode()
    assert "not valid" in wrong_code.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    failed = events(sre, AccountEvent.Kind.REAUTH_FAILED)
    assert [e.detail["failed"] for e in reversed(failed)] == ["password", "code"]
    assert {e.detail["purpose"] for e in failed} == {"two_factor_setup"}


def test_new_backup_codes_replace_the_old_ones(client_for, sre, clock):
    client = client_for(sre)
    app = give_two_factor(sre, backup_codes=("oldcode22",))

    response = client.post(
        reverse("two-factor-backup-codes"), {"password": PASSWORD, "otp_code": totp_code(app)}
    )

    new = response.context["codes"]
    assert len(new) == 10
    assert not twofactor.code_check(sre, "oldcode22").ok
    clock.shift(STEP)  # a wrong code delays the next try a little
    assert twofactor.code_check(sre, new[0]).ok
    assert len(events(sre, AccountEvent.Kind.BACKUP_CODES_REGENERATED)) == 1


def test_turning_two_factor_off_needs_a_fresh_code_and_leaves_the_session_unverified(
    client_for, sre, clock
):
    client = client_for(sre)
    app = TOTPDevice.objects.get(user=sre)
    used = totp_code(app)
    assert twofactor.code_check(sre, used).ok  # this code was just used (say, to sign in)

    refused = client.post(reverse("two-factor-remove"), {"password": PASSWORD, "otp_code": used})
    assert "not valid" in refused.content.decode()
    clock.shift(STEP)
    removed = client.post(
        reverse("two-factor-remove"), {"password": PASSWORD, "otp_code": totp_code(app)}
    )

    assert removed["Location"] == reverse("account-settings")
    assert not TOTPDevice.objects.filter(user=sre).exists()
    assert not StaticDevice.objects.filter(user=sre).exists()
    assert len(events(sre, AccountEvent.Kind.TWO_FACTOR_REMOVED)) == 1
    # An SRE without two-factor is back to reading only.
    post = client.post(reverse("account-settings"), {"time_zone": "UTC"})
    assert post["Location"] == reverse("two-factor-setup")


# --- re-authentication -------------------------------------------------------------------------


def test_a_password_change_without_a_fresh_code_is_refused_and_recorded(client_for, sre, clock):
    client = client_for(sre)
    new = {"new_password1": "a much newer passphrase", "new_password2": "a much newer passphrase"}

    without = client.post(reverse("password_change"), {"old_password": PASSWORD, **new})
    wrong = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "otp_code": "123456", **new}
    )

    for response in (without, wrong):
        assert response.status_code == 200
    assert "This field is required." in without.content.decode()
    assert "not valid" in wrong.content.decode()
    sre.refresh_from_db()
    assert sre.check_password(PASSWORD)
    [event] = events(sre, AccountEvent.Kind.REAUTH_FAILED)
    assert event.detail == {"purpose": "password_change", "failed": "code"}


def test_a_password_change_with_a_fresh_code_goes_through(client_for, sre, clock):
    client = client_for(sre)
    app = TOTPDevice.objects.get(user=sre)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "otp_code": totp_code(app),
            "new_password1": "a much newer passphrase",
            "new_password2": "a much newer passphrase",
        },
    )

    assert response["Location"] == reverse("password_change_done")
    sre.refresh_from_db()
    assert sre.check_password("a much newer passphrase")


def test_a_wrong_password_uses_up_no_backup_code(client_for, sre):
    client = client_for(sre)
    give_two_factor(sre, backup_codes=("keepme22",))

    client.post(reverse("two-factor-backup-codes"), {"password": "wrong", "otp_code": "keepme22"})

    assert twofactor.code_check(sre, "keepme22").ok


def test_a_failed_confirmation_keeps_what_was_typed_but_not_the_password_or_code(client_for, sre):
    response = client_for(sre).post(
        reverse("api-tokens"),
        {"action": "create", "lifetime_days": "365", "password": "s3cret!", "otp_code": "999999"},
    )

    html = response.content.decode()
    assert '<option value="365" selected>' in html
    assert "s3cret!" not in html and "999999" not in html
    assert response.context["new_token"] is None


def test_without_a_device_and_with_the_setting_off_the_password_alone_confirms(sre, settings):
    settings.TWO_FACTOR_REQUIRED = False
    client = password_only(sre)

    response = client.post(
        reverse("api-tokens"), {"action": "create", "lifetime_days": "30", "password": PASSWORD}
    )

    assert response.context["new_token"]


def test_with_the_setting_on_a_person_without_a_device_cannot_confirm(auditor):
    client = password_only(auditor)

    page = client.get(reverse("password_change"))
    post = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "x" * 20, "new_password2": "x" * 20},
    )

    assert b'data-testid="reauth-blocked"' in page.content
    assert "Set up two-factor authentication first" in post.content.decode()
    auditor.refresh_from_db()
    assert auditor.check_password(PASSWORD)


def test_confirming_pauses_after_too_many_failures(client_for, sre, settings, clock):
    client = client_for(sre)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("two-factor-backup-codes"), {"password": "wrong", "otp_code": "1"})
    app = TOTPDevice.objects.get(user=sre)

    paused = client.post(
        reverse("two-factor-backup-codes"), {"password": PASSWORD, "otp_code": totp_code(app)}
    )

    assert "confirming is paused" in paused.content.decode()
    clock.shift(settings.AXES_COOLOFF_TIME + STEP)
    again = client.post(
        reverse("two-factor-backup-codes"), {"password": PASSWORD, "otp_code": totp_code(app)}
    )
    assert len(again.context["codes"]) == 10


# --- API tokens ---------------------------------------------------------------------------------


def token_login(user, **extra):
    return Client().post(
        reverse("api:token-login"),
        {"username": user.username, "password": PASSWORD, **extra},
        content_type="application/json",
    )


def test_a_token_login_without_a_code_is_refused_saying_what_to_send(sre):
    give_two_factor(sre)

    response = token_login(sre)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "two_factor_required"
    assert '"otp_code"' in response.json()["error"]["message"]
    assert not AuthToken.objects.exists()


def test_a_token_login_with_a_wrong_code_is_refused(sre, clock):
    give_two_factor(sre)

    response = token_login(sre, otp_code="000000")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert not AuthToken.objects.exists()


def test_a_token_login_with_a_valid_code_gets_a_token_that_can_change_things(srelead, clock):
    app = give_two_factor(srelead)

    response = token_login(srelead, otp_code=totp_code(app))

    assert response.status_code == 200
    api = Client(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    created = api.post(
        reverse("api:service-list"),
        {"name": "Payments", "tier": "tier1", "rto_target_minutes": 60, "rpo_target_minutes": 15},
        content_type="application/json",
    )
    assert created.status_code != 403, created.content


def test_with_the_setting_on_no_token_without_two_factor_set_up(auditor):
    response = token_login(auditor)

    assert response.status_code == 403
    assert "set it up" in response.json()["error"]["message"]


def test_a_session_gets_a_token_only_if_it_passed_two_factor(client_for, sre):
    verified = client_for(sre).post(reverse("api:token-login"))
    unverified = Client()
    unverified.force_login(sre)  # the session never gave a code

    refused = unverified.post(reverse("api:token-login"))

    assert verified.status_code == 200
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "two_factor_required"


def test_the_schema_documents_the_code_field_of_the_token_login(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()

    body = schema["components"]["schemas"]["TokenLoginRequestRequest"]
    assert "otp_code" in body["properties"]
    assert "otp_code" in schema["paths"]["/api/v1/auth/login"]["post"]["description"]


# --- staff ------------------------------------------------------------------------------------


@pytest.fixture
def staff(db):
    user = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    return user


def test_staff_reset_someones_two_factor_after_confirming_and_the_person_is_told(
    client_for, staff, sre, clock
):
    give_two_factor(sre)
    client = client_for(staff)
    app = TOTPDevice.objects.get(user=staff)
    action = {"action": "reset_two_factor", "_selected_action": [sre.pk]}
    changelist = reverse("admin:auth_user_changelist")

    asked = client.post(changelist, action)
    refused = client.post(
        changelist, {**action, "confirm": "yes", "password": "wrong", "otp_code": "000000"}
    )
    assert asked.status_code == 200 and b"Confirm it is you" in asked.content
    assert refused.status_code == 200 and TOTPDevice.objects.filter(user=sre).exists()

    clock.shift(STEP)
    done = client.post(
        changelist,
        {**action, "confirm": "yes", "password": PASSWORD, "otp_code": totp_code(app)},
    )

    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=sre).exists()
    [event] = events(sre, AccountEvent.Kind.TWO_FACTOR_RESET_BY_STAFF)
    assert event.actor == staff
    [mail] = OutboxMessage.objects.filter(to_user=sre)
    assert "reset the two-factor authentication" in mail.body
    assert mail.url == reverse("two-factor-setup")
    [failed] = events(staff, AccountEvent.Kind.REAUTH_FAILED)
    assert failed.detail["purpose"] == "staff_two_factor_reset"


def test_staff_set_someones_password_only_after_confirming_it_is_them(
    client_for, staff, sre, clock
):
    client = client_for(staff)
    app = TOTPDevice.objects.get(user=staff)
    url = reverse("admin:auth_user_password_change", args=[sre.pk])
    new = {"password1": "a brand new passphrase", "password2": "a brand new passphrase"}

    page = client.get(url)
    refused = client.post(url, {**new, "set-password": "1", "password": PASSWORD})
    done = client.post(
        url, {**new, "set-password": "1", "password": PASSWORD, "otp_code": totp_code(app)}
    )

    assert b"Confirm it is you" in page.content
    assert refused.status_code == 200
    assert done.status_code == 302, done.content.decode()[:2000]
    sre.refresh_from_db()
    assert sre.check_password("a brand new passphrase")


def test_the_admin_shows_no_ones_second_factor(db):
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)


@pytest.mark.django_db
def test_has_two_factor_answers_for_each_device_kind_in_one_query(django_assert_num_queries):
    nobody, app, backup_only, unconfirmed = UserFactory.create_batch(4)
    TOTPDevice.objects.create(user=app, name="Authenticator app", confirmed=True)
    StaticDevice.objects.create(user=backup_only, name="Backup codes", confirmed=True)
    TOTPDevice.objects.create(user=unconfirmed, name="Authenticator app", confirmed=False)
    expected = {nobody: False, app: True, backup_only: True, unconfirmed: False}
    for user, answer in expected.items():
        with django_assert_num_queries(1):
            assert twofactor.has_two_factor(user) is answer
