"""The portal's model backend answers exactly as Django's, with the roles, in one query."""

import pytest
from django.contrib.auth import backends as django_backends
from django.contrib.auth.models import Group, Permission

from bcp_portal.core import roles
from bcp_portal.core.auth_backends import ModelBackend, user_with_permissions
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


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_roles_come_with_the_permissions_in_the_same_query(persona, django_assert_num_queries):
    user = _fresh(make_persona(persona))
    expected = set(user.groups.values_list("name", flat=True))
    with django_assert_num_queries(1):
        user.has_perm("drills.view_drill")
        assert roles.user_roles(user) == expected


def test_a_role_that_grants_no_permission_is_still_a_role():
    user = make_persona("sre")
    user.groups.add(Group.objects.create(name="Observer"))
    user = _fresh(user)
    assert ModelBackend().get_all_permissions(user) == (
        django_backends.ModelBackend().get_all_permissions(_fresh(user))
    )
    assert roles.user_roles(user) == {"SRE", "Observer"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_user_read_with_permissions_holds_what_the_backend_reads_in_one_query(
    persona, django_assert_num_queries
):
    user = make_persona(persona)
    user.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    expected = ModelBackend().get_all_permissions(_fresh(user))
    expected_roles = set(user.groups.values_list("name", flat=True))

    with django_assert_num_queries(1):
        loaded = user_with_permissions(type(user).objects.filter(pk=user.pk))
        assert loaded.get_all_permissions() == expected
        assert roles.user_roles(loaded) == expected_roles
    assert (loaded.pk, loaded.username, loaded.is_active) == (user.pk, user.username, True)


def test_a_superuser_or_inactive_user_read_with_permissions_is_left_to_the_backend():
    boss = UserFactory(is_superuser=True)
    idle = make_persona("srelead")
    idle.is_active = False
    idle.save()

    loaded_boss = user_with_permissions(type(boss).objects.filter(pk=boss.pk))
    loaded_idle = user_with_permissions(type(idle).objects.filter(pk=idle.pk))

    assert loaded_boss.get_all_permissions() == ModelBackend().get_all_permissions(_fresh(boss))
    assert loaded_idle.get_all_permissions() == set()
    assert not loaded_idle.has_perm("drills.view_drill")
    assert user_with_permissions(type(boss).objects.filter(pk=-1)) is None
