import io

import pytest

from bcp_portal.core import roles
from incidents.demo_oncall import load_demo_oncall
from incidents.models import OnCallOverride, OnCallRotation
from incidents.oncall_selectors import on_call_at
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_adds_a_rotation_of_the_demo_sres_and_one_override_once():
    sre = UserFactory(username="sre", roles=[roles.SRE])
    lead = UserFactory(username="srelead", roles=[roles.SRE_LEAD])
    load_demo_oncall(io.StringIO())
    load_demo_oncall(io.StringIO())

    rotation = OnCallRotation.objects.get()
    assert rotation.is_active
    assert OnCallOverride.objects.get().user == lead
    who = on_call_at(rotation.starts_at)
    assert (who.primary, who.secondary) == (sre, lead)
