"""The channels' demo step: a disabled chat target set by the SRE Lead, one welcome per inbox."""

from __future__ import annotations

from io import StringIO

import pytest

from bcp_portal.core.channels.demo import TARGET_NAME, WELCOME_SUBJECT, load_demo_notifications
from bcp_portal.core.models import InboxItem, NotificationTarget
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_sets_a_disabled_target_as_the_sre_lead_and_welcomes_everyone_once():
    lead = UserFactory(username="srelead", roles=["SRE Lead"])
    UserFactory(username="sre", roles=["SRE"])
    UserFactory(username="visitor", roles=[])  # no role: not a demo persona, no welcome
    load_demo_notifications(StringIO())
    load_demo_notifications(StringIO())
    target = NotificationTarget.objects.get(name=TARGET_NAME)
    assert target.enabled is False
    assert [h.history_user for h in target.history.all()] == [lead]
    welcomed = InboxItem.objects.filter(subject=WELCOME_SUBJECT)
    assert sorted(welcomed.values_list("user__username", flat=True)) == ["sre", "srelead"]
