from datetime import timedelta

import pytest
from django.utils import timezone

from bcp_portal.core.offboarding import offboarding_checklist, user_offboard
from incidents.models import RotationMember
from incidents.services.oncall import override_create
from tests.factories import UserFactory
from tests.incidents.oncall_factories import rotation, sre

pytestmark = pytest.mark.django_db


def test_a_leavers_rotation_place_and_coming_override_go_to_the_successor(srelead):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    leaver, stays, successor = sre("lena"), sre("omar"), sre("sam")
    rota = rotation(srelead, [leaver, stays], starts_at=timezone.now())
    start = timezone.now() + timedelta(days=3)
    override = override_create(
        actor=srelead,
        rotation=rota,
        user=leaver,
        starts_at=start,
        ends_at=start + timedelta(days=1),
        reason="Swap",
    )
    assert {i.key: i.count for i in offboarding_checklist(leaver)}["oncall"] == 2

    user_offboard(actor=root, leaver=leaver, successor=successor)

    members = RotationMember.objects.filter(rotation=rota).order_by("position")
    assert [m.user for m in members] == [successor, stays]
    override.refresh_from_db()
    assert override.user == successor
    assert override.history.latest().history_user == root
