"""The service catalogue over the API: validation, history, cursor pages, query counts.

Who may call which endpoint is in tests/permission_matrix.py.
"""

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from bcp_portal.catalogue.models import Service
from bcp_portal.core.api.pagination import CursorPagination
from tests.factories import ServiceFactory

LIST_URL = reverse("api:service-list")


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_one_response_names_every_invalid_field_and_why(client_for, srelead):
    response = client_for(srelead).post(
        LIST_URL,
        {"rto_target_minutes": 500, "rto_max_minutes": 100, "kind": "spaceship"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "validation_error",
            "message": "The request has invalid fields: kind, name, rto_target_minutes.",
            "fields": {
                "name": ["This field is required."],
                "kind": ['"spaceship" is not a valid choice.'],
                "rto_target_minutes": ["The RTO target cannot exceed the maximum tolerable."],
            },
        }
    }
    assert not Service.objects.exists()


def test_a_target_above_the_organisations_default_maximum_is_refused(client_for, srelead):
    # rto_max is left out, so it comes from the organisation profile (24 h) in the service.
    response = client_for(srelead).post(
        LIST_URL, {"name": "Search", "rto_target_minutes": 2000}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "rto_target_minutes": ["The RTO target cannot exceed the maximum tolerable."]
    }


def test_a_patch_is_checked_against_the_stored_objectives(client_for, srelead):
    service = ServiceFactory(rpo_target_minutes=60, rpo_max_minutes=240)

    response = client_for(srelead).patch(
        reverse("api:service-detail", args=[service.pk]),
        {"rpo_target_minutes": 300},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["rpo_target_minutes"]
    service.refresh_from_db()
    assert service.rpo_target_minutes == 60


def test_a_duplicate_name_is_a_field_error(client_for, srelead):
    ServiceFactory(name="Billing")

    response = client_for(srelead).post(
        LIST_URL, {"name": "Billing"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["name"]


def test_a_service_created_over_the_api_records_who_and_how(client_for, srelead):
    response = client_for(srelead).post(
        LIST_URL,
        {"name": "Search", "kind": "data_store", "rto_target_minutes": 30},
        content_type="application/json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["rto_target_minutes"], body["rto_max_minutes"]) == (
        "Search",
        30,
        1440,
    )
    change = Service.objects.get(pk=body["id"]).history.get()
    assert (change.history_user, change.history_source) == (srelead, "api")


def test_a_patch_changes_only_the_fields_sent(client_for, srelead):
    service = ServiceFactory(name="Search", owner_team="Platform")

    response = client_for(srelead).patch(
        reverse("api:service-detail", args=[service.pk]),
        {"owner_team": "Data"},
        content_type="application/json",
    )

    assert response.status_code == 200
    service.refresh_from_db()
    assert (service.name, service.owner_team) == ("Search", "Data")
    assert service.history.first().history_user == srelead


# --- listing --------------------------------------------------------------------------------


def test_the_list_pages_with_a_cursor_ordered_by_name(client_for, sre):
    for name in ("Charlie", "Alpha", "Bravo"):
        ServiceFactory(name=name)
    client = client_for(sre)

    first = client.get(LIST_URL, {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [s["name"] for s in first["results"]] == ["Alpha", "Bravo"]
    assert parse_qs(urlparse(first["next"]).query)["page_size"] == ["2"]
    assert "cursor" in parse_qs(urlparse(first["next"]).query)
    assert [s["name"] for s in second["results"]] == ["Charlie"]
    assert second["next"] is None
    assert second["previous"] is not None


def test_a_page_size_above_the_maximum_is_refused_naming_it_and_the_maximum_is_served(
    client_for, sre, monkeypatch
):
    monkeypatch.setattr(CursorPagination, "max_page_size", 2)
    ServiceFactory.create_batch(3)
    client = client_for(sre)

    for size in (3, 10_000):
        response = client.get(LIST_URL, {"page_size": size})
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["fields"]["page_size"] == ["Give one whole number from 1 to 2."]

    assert len(client.get(LIST_URL, {"page_size": 2}).json()["results"]) == 2


def test_the_list_filters_by_kind_and_search_and_hides_retired_services(client_for, sre):
    ServiceFactory(name="Orders DB", kind=Service.Kind.DATA_STORE)
    ServiceFactory(name="Orders", kind=Service.Kind.SERVICE)
    ServiceFactory(name="Old orders DB", kind=Service.Kind.DATA_STORE, is_active=False)
    client = client_for(sre)

    def names(**params):
        return [s["name"] for s in client.get(LIST_URL, params).json()["results"]]

    assert names(kind="data_store") == ["Orders DB"]
    assert names(search="orders", include_inactive="true") == [
        "Old orders DB",
        "Orders",
        "Orders DB",
    ]


@pytest.mark.parametrize("rows", [2, 30])
def test_the_list_takes_the_same_queries_for_2_and_30_rows(
    client_for, sre, rows, django_assert_num_queries
):
    ServiceFactory.create_batch(rows)
    client = client_for(sre)

    # session, user, 2FA device, profile (time zone), permissions (one query), the page
    with django_assert_num_queries(6):
        response = client.get(LIST_URL)

    assert len(response.json()["results"]) == rows
