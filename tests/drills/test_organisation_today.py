"""One "today": the organisation's, for action reminders, drill reminders and generation."""

import datetime as dt

import pytest

from bcp_portal.actions.services import action_reminders_send
from bcp_portal.catalogue.selectors import organisation_profile, organisation_today
from bcp_portal.core.models import OutboxMessage
from drills.services.reminders import drill_reminders_send
from tests.actions.factories import ActionFactory, PersonFactory
from tests.drills.factories import DrillFactory

# 23:30 on 10 March in UTC is already 13:30 on 11 March on Kiritimati (UTC+14).
NOW = dt.datetime(2027, 3, 10, 23, 30, tzinfo=dt.UTC)
KIRITIMATI_DAY = dt.date(2027, 3, 11)


@pytest.fixture
def kiritimati(db, time_machine):
    time_machine.move_to(NOW, tick=False)
    profile = organisation_profile()
    profile.time_zone = "Pacific/Kiritimati"
    profile.save()


def test_action_and_drill_reminders_agree_on_today_far_from_utc(kiritimati):
    owner = PersonFactory(username="owner", roles=["SRE"])
    ActionFactory(owner=owner, due_date=KIRITIMATI_DAY, title="Rotate keys")
    # 20:00 on 11 March on Kiritimati: 06:00 UTC, later the same Kiritimati day.
    DrillFactory(starts_at=dt.datetime(2027, 3, 11, 6, 0, tzinfo=dt.UTC), title="Failover")

    assert organisation_today() == KIRITIMATI_DAY
    assert action_reminders_send() == 1
    assert drill_reminders_send() == 1

    action_message = OutboxMessage.objects.get(dedup_key__startswith="action-")
    drill_message = OutboxMessage.objects.get(dedup_key__startswith="drill-")
    assert action_message.subject == "Action due today: Rotate keys"
    assert "Failover (" in drill_message.body and "starts today, Thu 11 Mar 2027 20:00" in (
        drill_message.body
    )


def test_a_drill_the_next_organisation_day_is_reminded_as_tomorrow(kiritimati):
    DrillFactory(starts_at=dt.datetime(2027, 3, 11, 12, 0, tzinfo=dt.UTC), title="Restore")
    drill_reminders_send()
    assert "starts tomorrow, Fri 12 Mar 2027 02:00" in OutboxMessage.objects.get().body
