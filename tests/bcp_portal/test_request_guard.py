"""What no view could store or answer well is refused before any view runs, in the API's
error shape under /api/ and with a short page elsewhere (issue #8, items 5 and 7): JSON
nested deeper than the limit (10,000 levels was a RecursionError, a 500), a body over the
size limit, more fields than the limit, a NUL character in any parameter or form field."""

import json

import pytest
from django.test import Client
from knox.models import AuthToken

from bcp_portal.catalogue.models import Service
from bcp_portal.contacts.models import Contact
from bcp_portal.core import limits
from bcp_portal.core.api.parsers import json_depth

pytestmark = pytest.mark.django_db

WRITES = [
    ("post", "/api/v1/actions"),
    ("post", "/api/v1/drills"),
    ("post", "/api/v1/drill-reports"),
    ("post", "/api/v1/services"),
    ("post", "/api/v1/auth/login"),
]


@pytest.fixture
def api(srelead):
    _, key = AuthToken.objects.create(srelead)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.mark.parametrize("method, url", WRITES)
@pytest.mark.parametrize(
    "body",
    ["[" * 10_000 + "]" * 10_000, '{"a": ' * 5_000 + "1" + "}" * 5_000],
    ids=["arrays", "objects"],
)
def test_json_nested_10000_levels_deep_is_a_400_naming_the_limit(api, method, url, body):
    response = getattr(api, method)(url, body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert f"limit of {limits.JSON_MAX_DEPTH} levels" in error["message"]


def test_json_within_the_depth_limit_reaches_the_view(api):
    nested = {"title": "Deep but allowed", "description": ""}
    inner = nested
    for _ in range(limits.JSON_MAX_DEPTH - 2):
        inner["x"] = {}
        inner = inner["x"]
    body = json.dumps(nested)
    assert json_depth(body) == limits.JSON_MAX_DEPTH - 1
    response = api.post("/api/v1/actions", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"  # the serializer's answer


def test_the_depth_scan_skips_brackets_inside_strings():
    assert json_depth('{"a": "[[[[{{{{", "b": ["\\\\\\"[["]}') == 2
    assert json_depth("[]") == 1
    assert json_depth('"just text"') == 0


def test_a_body_over_the_size_limit_is_a_413_in_the_api_error_shape(api):
    body = json.dumps({"title": "x" * (limits.REQUEST_BODY_MAX_BYTES + 10)})
    response = api.post("/api/v1/actions", body, content_type="application/json")
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "request_too_large"
    assert f"{limits.REQUEST_BODY_MAX_BYTES:,} bytes" in error["message"]


def test_a_page_post_over_the_size_limit_is_a_413_page_saying_so(client_for, srelead):
    response = client_for(srelead).post(
        "/contacts/new/", {"name": "x" * (limits.REQUEST_BODY_MAX_BYTES + 10)}
    )
    assert response.status_code == 413
    assert f"the limit is {limits.REQUEST_BODY_MAX_BYTES:,} bytes" in response.content.decode()
    assert not Contact.objects.exists()


def test_more_query_parameters_than_the_limit_is_a_400_naming_the_limit(api):
    query = {f"p{n}": "1" for n in range(limits.REQUEST_FIELDS_MAX + 1)}
    response = api.get("/api/v1/actions", query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "too_many_fields"
    assert f"{limits.REQUEST_FIELDS_MAX:,}" in error["message"]


def test_a_nul_in_any_api_query_parameter_is_a_400_naming_it(api):
    response = api.get("/api/v1/me", {"anything": "a\x00b"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"] == {"anything": [error["message"]]}
    assert "“anything”" in error["message"]


def test_a_nul_in_a_page_form_field_is_a_400_naming_it_and_nothing_is_stored(client_for, srelead):
    response = client_for(srelead).post(
        "/contacts/new/", {"name": "Ada\x00", "kind": "executive", "is_active": "on"}
    )
    assert response.status_code == 400
    assert "The form field “name” holds a NUL character" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_nul_in_an_api_json_body_is_a_400_naming_the_field(api):
    response = api.post(
        "/api/v1/services", {"name": "Payments\x00"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]
    assert not Service.objects.exists()
