"""What schemathesis found (tests/test_api_fuzz.py), each pinned by a test of its own: the
schema documents every error answer, errors keep their documented flat shape however deep,
values have the JSON type the schema states, and the API reads JSON only."""

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from knox.models import AuthToken

from bcp_portal.catalogue.models import Service
from tests.drills.report_factories import ReportDrillTypeFactory
from tests.twofactor import give_two_factor, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(srelead):
    _, key = AuthToken.objects.create(srelead)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_every_operation_documents_its_error_answers_in_the_error_shape(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        expected = {"400"}
        if operation.get("security") != [{}] and "auth/login" not in path:
            expected |= {"401", "403"}
        if "{" in path:
            expected.add("404")
        if method in ("post", "patch", "put"):
            expected.add("413")
        assert expected <= set(responses), (method, path, sorted(responses))
        ref = responses["400"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/Error"), (method, path)


def test_an_error_inside_a_list_of_objects_is_named_by_its_path(api):
    ReportDrillTypeFactory()
    response = api.post(
        "/api/v1/drill-reports",
        {"drill_type": "database_recovery", "drill_date": "2026-01-05", "actions": [{}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields == {"actions.0.title": ["This field is required."]}


@pytest.mark.parametrize(
    "field, value",
    [("is_active", 0), ("is_active", "yes"), ("rto_target_minutes", "60"), ("name", 5)],
)
def test_a_value_of_another_json_type_than_documented_is_refused(api, field, value):
    body = {"name": "Payments", "kind": "service", field: value}
    response = api.post("/api/v1/services", body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Service.objects.exists()


def test_the_api_reads_json_only_and_the_sign_in_also_a_form(api, srelead):
    response = api.post("/api/v1/services", {"name": "Payments"})  # multipart
    assert response.status_code == 415, response.content
    assert response.json()["error"]["code"] == "unsupported_media_type"
    srelead.set_password("a long enough password")
    srelead.save()
    code = totp_code(give_two_factor(srelead))  # two-factor is on in the suite
    login = Client().post(
        "/api/v1/auth/login",
        {"username": srelead.username, "password": "a long enough password", "otp_code": code},
    )
    assert login.status_code == 200 and login.json()["token"]


def test_an_empty_choice_filter_is_documented_as_allowed(schema):
    parameters = schema["paths"]["/api/v1/actions"]["get"]["parameters"]
    status = next(p for p in parameters if p["name"] == "status")
    assert "" in status["schema"]["enum"]


def test_a_switch_filter_is_documented_with_the_words_it_takes(schema, api):
    parameters = schema["paths"]["/api/v1/services"]["get"]["parameters"]
    inactive = next(p for p in parameters if p["name"] == "inactive")
    assert inactive["schema"] == {
        "type": "string",
        "enum": ["1", "true", "yes", "on", "0", "false", "no", "off", ""],
    }
    assert api.get("/api/v1/services", {"inactive": ""}).status_code == 200
    assert api.get("/api/v1/services", {"inactive": "TRUE"}).status_code == 400


def test_text_over_its_documented_length_is_refused_before_whitespace_is_trimmed(api):
    # The schema says maxLength 200: 199 characters and a leading tab are 200 sent, fine;
    # 200 and a tab are 201 sent, refused, although trimming would bring them under.
    at_limit = {"name": "\t" + "p" * 199, "kind": "service"}
    created = api.post("/api/v1/services", at_limit, content_type="application/json")
    assert created.status_code == 201, created.content
    over = {"name": "\t" + "q" * 200, "kind": "service"}
    response = api.post("/api/v1/services", over, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["name"] == [
        "Ensure this field has no more than 200 characters."
    ]
    assert not Service.objects.filter(name="q" * 200).exists()
