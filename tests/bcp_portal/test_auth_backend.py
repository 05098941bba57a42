"""The portal's model backend answers exactly as Django's, in one query instead of two."""

import pytest
from django.contrib.auth import backends as django_backends
from django.contrib.auth.models import Permission

from bcp_portal.core.auth_backends import ModelBackend
from tests.conftest import PERSONAS, make_persona
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fresh(user):
    """The same user without any permission cache."""
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_gets_the_permissions_djangos_backend_gives(persona):
    user = make_persona(persona)
    user.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    expected = django_backends.ModelBackend().get_all_permissions(_fresh(user))
    assert ModelBackend().get_all_permissions(_fresh(user)) == expected
    assert "core.view_outboxmessage" in expected


def test_a_superuser_holds_every_permission_and_an_inactive_user_none():
    boss = UserFactory(is_superuser=True)
    assert ModelBackend().get_all_permissions(boss) == (
        django_backends.ModelBackend().get_all_permissions(_fresh(boss))
    )
    idle = make_persona("srelead")
    idle.is_active = False
    assert ModelBackend().get_all_permissions(idle) == set()
    assert not idle.has_perm("drills.view_drill")


def test_a_users_permissions_are_read_in_one_query(django_assert_num_queries):
    user = _fresh(make_persona("sre"))
    with django_assert_num_queries(1):
        assert user.has_perm("drills.view_drill")
        assert not user.has_perm("drills.change_drilltype")
