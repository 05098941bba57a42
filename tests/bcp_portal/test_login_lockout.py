import datetime as dt

import time_machine
from django.utils import timezone

from tests.factories import UserFactory
from tests.twofactor import give_two_factor, totp_code

PASSWORD = "correct horse battery"


def sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_five_wrong_passwords_pause_sign_in_even_with_the_right_one(client, db):
    UserFactory(username="sam")
    for _ in range(4):
        assert sign_in(client, "sam", "wrong").status_code == 200
    assert sign_in(client, "sam", "wrong").status_code == 429
    response = sign_in(client, "sam", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_works_again_after_the_cool_off(client, db):
    UserFactory(username="sam")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            sign_in(client, "sam", "wrong")
        traveller.shift(dt.timedelta(minutes=16))
        assert sign_in(client, "sam", PASSWORD).status_code == 302


def test_failures_for_one_person_do_not_lock_out_another(client, db):
    UserFactory(username="sam")
    UserFactory(username="lena")
    for _ in range(5):
        sign_in(client, "sam", "wrong")
    assert sign_in(client, "lena", PASSWORD).status_code == 302


def test_a_success_clears_earlier_failures(client, db):
    UserFactory(username="sam")
    for _ in range(4):
        sign_in(client, "sam", "wrong")
    assert sign_in(client, "sam", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        sign_in(client, "sam", "wrong")
    assert sign_in(client, "sam", PASSWORD).status_code == 302


# --- the client address: per address, also behind a proxy (issue #8, item 8) ----------------


def sign_in_from(client, username, password, *, remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/accounts/login/", {"username": username, "password": password}, **headers)


def test_five_failures_from_one_address_lock_that_address_only(client, db):
    UserFactory(username="sam")
    for _ in range(5):
        sign_in_from(client, "sam", "wrong", remote="198.51.100.7")

    assert sign_in_from(client, "sam", PASSWORD, remote="198.51.100.7").status_code == 429
    assert sign_in_from(client, "sam", PASSWORD, remote="203.0.113.9").status_code == 302


def test_behind_one_trusted_proxy_the_lockout_keys_on_the_forwarded_client(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    UserFactory(username="sam")
    for _ in range(5):
        sign_in_from(client, "sam", "wrong", remote=proxy, forwarded="198.51.100.7")

    locked = sign_in_from(client, "sam", PASSWORD, remote=proxy, forwarded="198.51.100.7")
    elsewhere = sign_in_from(client, "sam", PASSWORD, remote=proxy, forwarded="203.0.113.9")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


def test_behind_one_proxy_a_client_cannot_escape_the_lockout_by_forging_the_header(
    client, db, settings
):
    # The proxy appends the address it saw: whatever the client wrote comes before it.
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    UserFactory(username="sam")
    for attempt in range(5):
        forged = f"192.0.2.{attempt}, 198.51.100.7"
        sign_in_from(client, "sam", "wrong", remote=proxy, forwarded=forged)

    response = sign_in_from(
        client, "sam", PASSWORD, remote=proxy, forwarded="192.0.2.99, 198.51.100.7"
    )

    assert response.status_code == 429


def test_with_no_trusted_proxy_a_forged_forwarded_header_changes_nothing(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    UserFactory(username="sam")
    for attempt in range(5):
        sign_in_from(client, "sam", "wrong", remote="198.51.100.7", forwarded=f"192.0.2.{attempt}")

    # Another forged address does not unlock the real one...
    assert (
        sign_in_from(client, "sam", PASSWORD, remote="198.51.100.7", forwarded="192.0.2.50")
    ).status_code == 429
    # ...and naming a victim's address does not lock the victim out.
    assert (
        sign_in_from(client, "sam", PASSWORD, remote="203.0.113.9", forwarded="198.51.100.7")
    ).status_code == 302


def test_the_api_login_counts_failures_per_forwarded_client_too(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    app = give_two_factor(UserFactory(username="sam"))
    body = {"username": "sam", "password": "wrong"}
    for _ in range(5):
        client.post(
            "/api/v1/auth/login", body, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7"
        )

    # With two-factor on (as in the suite) a token login also carries a code.
    right = {"username": "sam", "password": PASSWORD, "otp_code": totp_code(app)}
    locked = client.post(
        "/api/v1/auth/login", right, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    elsewhere = client.post(
        "/api/v1/auth/login", right, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )

    assert locked.status_code == 429
    assert elsewhere.status_code == 200
