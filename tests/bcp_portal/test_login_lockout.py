import datetime as dt

import time_machine
from django.utils import timezone

from tests.factories import UserFactory

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
