import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bcp_portal.catalogue import services
from bcp_portal.catalogue.models import Service
from bcp_portal.catalogue.selectors import organisation_profile
from tests.factories import ServiceFactory


def test_a_new_entry_takes_the_organisations_recovery_objectives(srelead):
    service = services.service_create(actor=srelead, name="Search", kind=Service.Kind.SERVICE)
    assert (service.rto_target_minutes, service.rto_max_minutes) == (240, 1440)
    assert (service.rpo_target_minutes, service.rpo_max_minutes) == (60, 240)


def test_changed_organisation_objectives_apply_to_later_entries(srelead):
    profile = organisation_profile()
    profile.rto_target_minutes = 120
    profile.save()
    service = services.service_create(actor=srelead, name="Billing")
    assert service.rto_target_minutes == 120


def test_explicit_objectives_win_over_the_defaults(srelead):
    service = services.service_create(
        actor=srelead,
        name="Stripe",
        kind=Service.Kind.PROVIDER,
        rto_target_minutes=5,
        rto_max_minutes=30,
        rpo_target_minutes=0,
        rpo_max_minutes=15,
    )
    assert (service.rto_target_minutes, service.rpo_max_minutes) == (5, 15)


def test_a_target_above_its_maximum_is_refused_with_the_field_named(srelead):
    with pytest.raises(ValidationError) as exc:
        services.service_create(
            actor=srelead, name="X", rto_target_minutes=2000, rto_max_minutes=1000
        )
    assert "rto_target_minutes" in exc.value.message_dict


def test_an_sre_cannot_edit_the_catalogue(sre):
    with pytest.raises(PermissionDenied):
        services.service_create(actor=sre, name="Nope")


def test_an_edit_is_recorded_in_history_with_the_actor(srelead):
    service = services.service_create(actor=srelead, name="Queue")
    services.service_update(actor=srelead, service=service, region="eu-central-1")
    latest = service.history.latest()
    assert latest.region == "eu-central-1"
    assert latest.history_user == srelead
    assert service.history.count() == 2


def test_an_update_with_no_change_writes_no_history(srelead):
    service = services.service_create(actor=srelead, name="Idle")
    services.service_update(actor=srelead, service=service, name="Idle")
    assert service.history.count() == 1


def test_the_list_filters_by_kind_and_searches_by_name(client_for, sre):
    ServiceFactory(name="PostgreSQL primary", kind=Service.Kind.DATA_STORE)
    ServiceFactory(name="Payments API")
    client = client_for(sre)
    page = client.get("/services/", {"kind": "data_store"}).content.decode()
    assert "PostgreSQL primary" in page and "Payments API" not in page
    page = client.get("/services/", {"q": "payments"}).content.decode()
    assert "Payments API" in page and "PostgreSQL primary" not in page


def test_the_empty_list_says_so(client_for, sre):
    assert "The catalogue is empty" in client_for(sre).get("/services/").content.decode()


@pytest.mark.parametrize("rows", [2, 30])
def test_the_list_page_query_count_does_not_grow_with_rows(
    client_for, sre, rows, django_assert_num_queries
):
    ServiceFactory.create_batch(rows)
    client = client_for(sre)
    client.get("/services/")  # warm the session and permission caches
    # session, user, 2FA device, profile, permissions (one query), count, page rows
    with django_assert_num_queries(7):
        assert client.get("/services/").status_code == 200


def test_a_rejected_form_keeps_what_was_typed(client_for, srelead):
    response = client_for(srelead).post(
        "/services/new/",
        {
            "name": "Half-typed service",
            "kind": "service",
            "business_impact": "critical",
            "recovery_priority": "P0",
            "description": "keep me",
            "rto_target_minutes": "500",
            "rto_max_minutes": "100",
            "rpo_target_minutes": "60",
            "rpo_max_minutes": "240",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The RTO target cannot exceed the maximum tolerable." in page
    assert 'value="Half-typed service"' in page and "keep me" in page
    assert not Service.objects.filter(name="Half-typed service").exists()


def test_the_sre_lead_adds_an_entry_through_the_browser_form(client_for, srelead):
    response = client_for(srelead).post(
        "/services/new/",
        {
            "name": "Search",
            "kind": "service",
            "business_impact": "moderate",
            "recovery_priority": "P2",
            "rto_target_minutes": "240",
            "rto_max_minutes": "1440",
            "rpo_target_minutes": "60",
            "rpo_max_minutes": "240",
            "is_active": "on",
        },
    )
    service = Service.objects.get(name="Search")
    assert response.status_code == 302 and response["Location"] == service.get_absolute_url()
    assert service.history.latest().history_source == "web"
