"""API tokens keep no history of their own (knox): each one made or revoked by its owner is
recorded on the account, from the tokens page and from the API alike (issue #8)."""

import pytest
from django.test import Client
from knox.models import AuthToken

from bcp_portal.core.models import AccountEvent
from tests.factories import UserFactory
from tests.twofactor import give_two_factor, totp_code

pytestmark = pytest.mark.django_db
Kind = AccountEvent.Kind
PASSWORD = "correct horse battery"  # what UserFactory sets


def events(user):
    return list(AccountEvent.objects.filter(user=user).order_by("id"))


def signed_in_token(user, code: str = "") -> str:
    """A token from the API's sign-in; `code` a backup code where one app code (valid once)
    would not do for several sign-ins in a row."""
    response = Client().post(
        "/api/v1/auth/login",
        {
            "username": user.username,
            "password": PASSWORD,
            "otp_code": code or totp_code(give_two_factor(user)),
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_a_token_from_the_api_sign_in_is_recorded_by_its_label_never_its_secret():
    ana = UserFactory()

    raw = signed_in_token(ana)

    [created] = events(ana)
    assert (created.kind, created.actor, created.source) == (Kind.TOKEN_CREATED, ana, "api")
    assert created.detail["credentials"] == [
        {"kind": "api_token", "label": f"API token {raw[:8]}…"}
    ]
    assert raw not in repr(created.detail)


def test_logging_a_token_out_and_logging_out_everywhere_are_recorded():
    ana = UserFactory()
    codes = ("backup-one", "backup-two", "backup-three")
    give_two_factor(ana, backup_codes=codes)
    first, second, third = (signed_in_token(ana, code) for code in codes)

    out = Client(HTTP_AUTHORIZATION=f"Token {first}").post("/api/v1/auth/logout")
    everywhere = Client(HTTP_AUTHORIZATION=f"Token {second}").post("/api/v1/auth/logoutall")

    assert (out.status_code, everywhere.status_code) == (204, 204)
    assert not AuthToken.objects.filter(user=ana).exists()
    revoked = [e for e in events(ana) if e.kind == Kind.TOKEN_REVOKED]
    assert [sorted(c["label"] for c in e.detail["credentials"]) for e in revoked] == [
        [f"API token {first[:8]}…"],
        sorted([f"API token {second[:8]}…", f"API token {third[:8]}…"]),
    ]
