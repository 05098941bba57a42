from django.template import Context, Template

from bcp_portal.core.people import display_name, user_zone, zone_named
from tests.factories import UserFactory


def test_a_person_is_named_by_full_name_else_username(db):
    named = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    bare = UserFactory(username="grace", first_name="", last_name="")
    assert display_name(named) == "Ada Lovelace"
    assert display_name(bare) == "grace"
    assert display_name(None, "nobody") == "nobody"


def test_templates_name_people_the_same_way_as_the_code(db):
    bare = UserFactory(username="grace", first_name="", last_name="")
    template = Template('{% load people %}{{ who|display_name }}|{{ none|display_name:"—" }}')
    assert template.render(Context({"who": bare, "none": None})) == "grace|—"


def test_a_persons_zone_is_their_profiles_else_the_default(db):
    user = UserFactory()
    user.profile.time_zone = "Asia/Tokyo"
    assert user_zone(user).key == "Asia/Tokyo"
    user.profile.time_zone = "Not/AZone"
    assert user_zone(user).key == "UTC"
    assert user_zone(None, default=None) is None
    assert zone_named("", default=zone_named("Europe/Paris")).key == "Europe/Paris"
