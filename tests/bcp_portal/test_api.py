"""The API shell: schema, error shape, tokens, /me, pagination rules and the token page."""

import base64
import re
import secrets
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import pytest
import yaml
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken
from rest_framework import serializers

from bcp_portal.api.urls import router
from bcp_portal.catalogue.models import Service
from bcp_portal.core.api import serializers as api_serializers
from bcp_portal.core.api.pagination import CursorPagination
from tests.factories import ServiceFactory, UserFactory
from tests.twofactor import give_two_factor

PASSWORD = "correct horse battery"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def basic_auth(user) -> dict:
    credentials = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {credentials}"}


def fresh_code(user) -> str:
    """A one-time code `user` may use now: a new backup code (an app code cannot be used
    twice within its 30 seconds, and these tests sign in several times)."""
    code = secrets.token_hex(4)
    give_two_factor(user, backup_codes=(code,))
    return code


def token_client(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def login_for_token(user) -> str:
    response = Client().post(
        reverse("api:token-login"), {"otp_code": fresh_code(user)}, **basic_auth(user)
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


# --- schema and docs ----------------------------------------------------------------------


def test_the_schema_generates_and_validates_without_a_single_warning(tmp_path):
    out = tmp_path / "schema.yml"

    # --fail-on-warn turns any drf-spectacular warning or error into a failure here.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    schema = yaml.safe_load(out.read_text())
    assert {"/api/v1/me", "/api/v1/auth/login", "/api/v1/services"} <= set(schema["paths"])
    login = schema["paths"]["/api/v1/auth/login"]["post"]["responses"]["200"]
    assert login["content"]["application/json"]["schema"]["$ref"].endswith("/TokenLoginResponse")
    assert "knoxApiToken" in schema["components"]["securitySchemes"]


def test_the_schema_documents_login_credentials_errors_and_the_bearer_scheme(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())

    login = schema["paths"]["/api/v1/auth/login"]["post"]
    body = login["requestBody"]["content"]
    assert {"application/json", "application/x-www-form-urlencoded"} <= set(body)
    request = schema["components"]["schemas"]["TokenLoginRequestRequest"]
    assert set(request["required"]) == {"username", "password"}
    for status in ("400", "401", "429"):
        ref = login["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/Error")
    error = schema["components"]["schemas"]["ErrorBody"]
    assert {"code", "message", "fields"} <= set(error["properties"])
    assert "HTTP Basic" in login["description"]
    token_scheme = schema["components"]["securitySchemes"]["knoxApiToken"]
    assert (token_scheme["type"], token_scheme["scheme"]) == ("http", "bearer")
    me = schema["paths"]["/api/v1/me"]["get"]
    assert {"knoxApiToken": []} in me["security"]


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(client):
    response = client.get(reverse("api-docs"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)


# --- the error shape ----------------------------------------------------------------------


def test_an_anonymous_request_gets_401_in_the_error_shape(client):
    response = client.get(reverse("api:me"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
        }
    }


def test_a_wrong_token_gets_401_in_the_error_shape(db):
    response = token_client("not-a-real-token").get(reverse("api:me"))

    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "authentication_failed", "message": "Invalid token."}
    }


def test_a_refused_request_gets_403_in_the_error_shape(client_for, outsider):
    response = client_for(outsider).get(reverse("api:service-list"))

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "permission_denied",
            "message": "You do not have permission to perform this action.",
        }
    }


def test_a_missing_object_gets_404_in_the_error_shape(client_for, sre):
    response = client_for(sre).get(reverse("api:service-detail", args=[999999]))

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing-here", "/api/v1/services/", "/api/v1/runbook-versions/1/sections/a%0Ab"],
)
def test_an_unknown_api_url_gets_404_in_the_error_shape(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_an_unsupported_method_gets_405_in_the_error_shape(client_for, srelead):
    response = client_for(srelead).put(
        reverse("api:service-list"), {}, content_type="application/json"
    )

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


# --- tokens -------------------------------------------------------------------------------


def test_basic_auth_login_returns_a_token_the_database_keeps_only_a_digest_of(sre):
    response = Client().post(
        reverse("api:token-login"), {"otp_code": fresh_code(sre)}, **basic_auth(sre)
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry"}
    token = body["token"]
    stored = AuthToken.objects.get(user=sre)
    assert token not in {stored.digest, stored.token_key}
    assert not AuthToken.objects.filter(digest__contains=token).exists()
    assert stored.token_key == token[: len(stored.token_key)]  # a lookup key, not the secret


def test_a_wrong_password_gets_no_token(sre):
    credentials = base64.b64encode(f"{sre.username}:wrong".encode()).decode()

    response = Client().post(reverse("api:token-login"), HTTP_AUTHORIZATION=f"Basic {credentials}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert not AuthToken.objects.exists()


def login(data, content_type="application/json", **extra):
    if content_type == "application/json":
        return Client().post(reverse("api:token-login"), data, content_type=content_type, **extra)
    return Client().post(reverse("api:token-login"), data, **extra)


def test_json_credentials_in_the_body_get_a_token(sre):
    response = login({"username": sre.username, "password": PASSWORD, "otp_code": fresh_code(sre)})

    assert response.status_code == 200, response.content
    assert set(response.json()) == {"token", "expiry"}
    assert token_client(response.json()["token"]).get(reverse("api:me")).status_code == 200


def test_form_credentials_in_the_body_get_a_token(sre):
    response = login(
        {"username": sre.username, "password": PASSWORD, "otp_code": fresh_code(sre)},
        content_type=None,
    )

    assert response.status_code == 200, response.content
    assert AuthToken.objects.filter(user=sre).count() == 1


def test_basic_auth_still_gets_a_token_beside_the_body(sre):
    response = Client().post(
        reverse("api:token-login"), {"otp_code": fresh_code(sre)}, **basic_auth(sre)
    )

    assert response.status_code == 200
    assert AuthToken.objects.filter(user=sre).count() == 1


def test_no_credentials_get_401_naming_the_fields_and_basic_auth(db):
    response = login({})

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "not_authenticated"
    assert '"username"' in error["message"] and '"password"' in error["message"]
    assert "HTTP Basic" in error["message"]


def test_a_missing_or_blank_field_is_a_400_naming_it(sre):
    response = login({"username": sre.username})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"password": ["This field is required."]}
    blank = login({"username": "", "password": PASSWORD})
    assert blank.status_code == 400
    assert set(blank.json()["error"]["fields"]) == {"username"}
    assert not AuthToken.objects.exists()


def test_a_wrong_password_and_an_unknown_username_get_the_same_clear_401(sre):
    wrong_password = login({"username": sre.username, "password": "wrong"})
    unknown_user = login({"username": "nobody-by-that-name", "password": "wrong"})

    assert wrong_password.status_code == unknown_user.status_code == 401
    assert (
        wrong_password.json()
        == unknown_user.json()
        == {"error": {"code": "authentication_failed", "message": "Wrong username or password."}}
    )
    assert not AuthToken.objects.exists()


def test_an_inactive_user_gets_the_same_answer_as_a_wrong_password(sre):
    sre.is_active = False
    sre.save()

    response = login({"username": sre.username, "password": PASSWORD})

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Wrong username or password."


def test_five_wrong_json_passwords_pause_api_sign_in_even_with_the_right_one(sre):
    for _ in range(4):
        assert login({"username": sre.username, "password": "wrong"}).status_code == 401
    fifth = login({"username": sre.username, "password": "wrong"})
    right = login({"username": sre.username, "password": PASSWORD})

    for response in (fifth, right):
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "locked_out"
        assert "Too many failed sign-ins" in response.json()["error"]["message"]
        assert response["Retry-After"] == "900"
    assert not AuthToken.objects.exists()
    # The same lock holds whichever way the password comes: Basic is refused too.
    basic = Client().post(reverse("api:token-login"), **basic_auth(sre))
    assert basic.status_code == 429
    assert basic.json()["error"]["code"] == "locked_out"


def test_json_failures_count_towards_the_web_lockout_and_axes_is_asked(sre, client):
    with patch("bcp_portal.core.api.auth.authenticate", wraps=authenticate) as spy:
        for _ in range(5):
            login({"username": sre.username, "password": "wrong"})
    assert all(call.kwargs["request"] is not None for call in spy.call_args_list)
    last_request = spy.call_args_list[-1].kwargs["request"]
    assert AxesProxyHandler.is_locked(last_request, {"username": sre.username})

    page = client.post("/accounts/login/", {"username": sre.username, "password": PASSWORD})
    assert page.status_code == 429


def test_a_success_clears_earlier_json_failures(sre):
    for _ in range(4):
        login({"username": sre.username, "password": "wrong"})
    right = {"username": sre.username, "password": PASSWORD}
    assert login({**right, "otp_code": fresh_code(sre)}).status_code == 200
    for _ in range(4):
        login({"username": sre.username, "password": "wrong"})
    assert login({**right, "otp_code": fresh_code(sre)}).status_code == 200


@pytest.mark.parametrize("keyword", ["Token", "Bearer", "bearer"])
def test_a_token_works_after_the_token_or_the_bearer_keyword(sre, keyword):
    token = login_for_token(sre)

    client = Client(HTTP_AUTHORIZATION=f"{keyword} {token}")

    assert client.get(reverse("api:me")).json()["username"] == sre.username
    assert client.post(reverse("api:token-logout")).status_code == 204
    assert not AuthToken.objects.filter(user=sre).exists()


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer one two", "Bearer not-a-real-token", "Bearer \xff\xfe"]
)
def test_a_malformed_bearer_header_gets_401_in_the_error_shape(db, header):
    response = Client(HTTP_AUTHORIZATION=header).get(reverse("api:me"))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_the_token_authenticates_me(sre):
    token = login_for_token(sre)

    response = token_client(token).get(reverse("api:me"))

    assert response.status_code == 200
    assert response.json() == {
        "id": sre.pk,
        "username": "p-sre",
        "full_name": sre.get_full_name(),
        "email": "p-sre@example.org",
        "roles": ["SRE"],
        "time_zone": "UTC",
        "is_staff": False,
    }


def test_logout_revokes_the_token(sre):
    token = login_for_token(sre)
    client = token_client(token)

    assert client.post(reverse("api:token-logout")).status_code == 204

    assert client.get(reverse("api:me")).status_code == 401
    assert not AuthToken.objects.filter(user=sre).exists()


def test_logoutall_revokes_every_token_of_the_user_and_no_one_elses(sre, srelead):
    first, second = login_for_token(sre), login_for_token(sre)
    other = login_for_token(srelead)

    assert token_client(first).post(reverse("api:token-logoutall")).status_code == 204

    assert token_client(second).get(reverse("api:me")).status_code == 401
    assert token_client(other).get(reverse("api:me")).status_code == 200


def test_a_session_also_opens_the_api(client_for, auditor):
    response = client_for(auditor).get(reverse("api:me"))

    assert response.status_code == 200
    assert response.json()["roles"] == ["Auditor"]


# --- pagination rules ---------------------------------------------------------------------


PAGINATED = [
    (prefix, viewset, basename)
    for prefix, viewset, basename in router.registry
    # A viewset that answers one computed object (the DR metrics) has no pages to order.
    if getattr(viewset, "pagination_class", True) is not None
]


@pytest.mark.parametrize("prefix, viewset, basename", PAGINATED, ids=lambda v: str(v))
def test_every_paginated_viewset_orders_by_a_unique_field(prefix, viewset, basename):
    ordering = getattr(viewset, "ordering", None) or CursorPagination.ordering
    last_key = (ordering if isinstance(ordering, str) else ordering[-1]).lstrip("-")
    model = viewset.serializer_class.Meta.model
    field = model._meta.pk if last_key == "pk" else model._meta.get_field(last_key)
    # The last key must be unique, or rows that tie on it are skipped or repeated.
    assert field.unique, f"{viewset.__name__}.ordering ends with the non-unique {last_key}"


# --- the token page -----------------------------------------------------------------------


def test_the_token_page_lists_my_tokens_by_prefix_but_not_anyone_elses(client_for, sre, srelead):
    mine, _ = AuthToken.objects.create(user=sre)
    theirs, _ = AuthToken.objects.create(user=srelead)

    response = client_for(sre).get(reverse("api-tokens"))

    html = response.content.decode()
    assert f"{mine.token_key[:8]}…" in html
    assert theirs.token_key[:8] not in html


def test_creating_a_token_on_the_page_shows_it_once(client_for, sre, time_machine):
    time_machine.move_to(NOW, tick=False)
    client = client_for(sre)
    code = fresh_code(sre)

    response = client.post(
        reverse("api-tokens"),
        {"action": "create", "lifetime_days": "30", "password": PASSWORD, "otp_code": code},
    )

    token = response.context["new_token"]
    assert token in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert token_client(token).get(reverse("api:me")).json()["username"] == "p-sre"
    stored = AuthToken.objects.get(user=sre)
    assert stored.expiry == NOW + timedelta(days=30)
    assert token not in client.get(reverse("api-tokens")).content.decode()


def test_a_token_lifetime_outside_the_choices_is_refused(client_for, sre):
    response = client_for(sre).post(
        reverse("api-tokens"),
        {
            "action": "create",
            "lifetime_days": "36500",
            "password": PASSWORD,
            "otp_code": fresh_code(sre),
        },
    )

    assert response.status_code == 200
    assert response.context["new_token"] is None
    assert not AuthToken.objects.exists()


def test_revoking_a_token_on_the_page_closes_the_api_to_it(client_for, sre):
    instance, token = AuthToken.objects.create(user=sre)
    client = client_for(sre)
    revoke = {"action": "revoke", "digest": instance.digest}

    asked = client.post(reverse("api-tokens"), revoke)
    assert asked.status_code == 200  # asks to confirm first
    assert token_client(token).get(reverse("api:me")).status_code == 200
    response = client.post(
        reverse("api-tokens"),
        {**revoke, "confirm": "yes", "password": PASSWORD, "otp_code": fresh_code(sre)},
    )

    assert response.status_code == 302
    assert token_client(token).get(reverse("api:me")).status_code == 401


def test_no_one_can_revoke_someone_elses_token(client_for, sre, srelead):
    instance, token = AuthToken.objects.create(user=srelead)

    client_for(sre).post(
        reverse("api-tokens"),
        {
            "action": "revoke",
            "digest": instance.digest,
            "confirm": "yes",
            "password": PASSWORD,
            "otp_code": fresh_code(sre),
        },
    )

    assert token_client(token).get(reverse("api:me")).status_code == 200


def test_the_user_menu_links_to_the_token_page(client_for, db):
    user = UserFactory()

    response = client_for(user).get(reverse("dashboard"))

    assert f'href="{reverse("api-tokens")}"' in response.content.decode()


def test_the_portals_model_serializer_writes_what_drfs_writes_leaving_write_only_fields_out(db):
    class Plain(serializers.ModelSerializer):
        secret = serializers.CharField(write_only=True, required=False)

        class Meta:
            model = Service
            fields = ["id", "name", "kind", "rto_target_minutes", "secret", "updated_at"]

    class Ours(api_serializers.PortalModelSerializer):
        secret = serializers.CharField(write_only=True, required=False)

        class Meta(Plain.Meta):
            pass

    rows = ServiceFactory.create_batch(3)
    ours = Ours(rows, many=True)
    assert ours.data == Plain(rows, many=True).data
    assert all("secret" not in row for row in ours.data)
    assert [f.field_name for f in ours.child._readable_fields] == [
        "id",
        "name",
        "kind",
        "rto_target_minutes",
        "updated_at",
    ]
