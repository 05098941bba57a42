"""A date or time people type lies in the years the portal works with (1900 to 2999): a
drill starting at the very end or start of the calendar answered 500 when its end or its
reminders were worked out (issue #8, item 5). Pages and the API refuse it, naming it."""

import pytest
from django.test import Client
from knox.models import AuthToken

from bcp_portal.core import limits
from drills.models import Drill
from tests.actions.factories import ActionFactory
from tests.drills.factories import DrillFactory, DrillTypeFactory

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = ["9999-12-31T23:59", "0001-01-01T00:00", "1899-12-31T10:00", "3000-01-01T10:00"]
MESSAGE = f"Give a date from the year {limits.MIN_YEAR} to {limits.MAX_YEAR}."


@pytest.mark.parametrize("starts_at", OUT_OF_RANGE)
def test_the_api_refuses_a_drill_outside_the_years_naming_the_field(srelead, starts_at):
    drill_type = DrillTypeFactory()
    drill = DrillFactory(drill_type=drill_type)
    _, key = AuthToken.objects.create(srelead)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    created = api.post(
        "/api/v1/drills",
        {"drill_type": drill_type.key, "starts_at": starts_at},
        content_type="application/json",
    )
    changed = api.patch(
        f"/api/v1/drills/{drill.pk}", {"starts_at": starts_at}, content_type="application/json"
    )
    for response in (created, changed):
        assert response.status_code == 400
        assert response.json()["error"]["fields"] == {"starts_at": [MESSAGE]}
    assert Drill.objects.count() == 1


@pytest.mark.parametrize("starts_at", OUT_OF_RANGE)
def test_the_drill_page_refuses_a_start_outside_the_years(client_for, srelead, starts_at):
    drill = DrillFactory()
    response = client_for(srelead).post(
        f"/drills/{drill.pk}/edit/",
        {
            "drill_type": drill.drill_type.pk,
            "title": "Moved",
            "starts_at": starts_at,
            "planned_duration_minutes": "60",
        },
    )
    assert response.status_code in (200, 400)
    assert response.context["form"].errors["starts_at"] == [MESSAGE]


def test_an_action_due_date_outside_the_years_is_refused(srelead):
    action = ActionFactory(owner=srelead)
    _, key = AuthToken.objects.create(srelead)
    response = Client(HTTP_AUTHORIZATION=f"Token {key}").patch(
        f"/api/v1/actions/{action.pk}", {"due_date": "9999-12-31"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"due_date": [MESSAGE]}
