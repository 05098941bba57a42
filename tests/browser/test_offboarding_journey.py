"""An administrator offboards a leaver from the admin, in a real browser (#8, item 15)."""

import re

import pytest
from playwright.sync_api import Page, expect

from bcp_portal.actions.models import Action
from bcp_portal.core import roles
from bcp_portal.core.models import AccountEvent
from tests.actions.factories import ActionFactory, DrillReportFactory
from tests.drills.factories import DrillFactory
from tests.factories import UserFactory
from tests.fixtures.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_offboards_a_leaver_and_sees_what_moved(page: Page, screenshot):
    UserFactory(username="root", first_name="Rory", is_staff=True, is_superuser=True)
    leaver = UserFactory(username="lena", first_name="Lena", last_name="Leaves", roles=[roles.SRE])
    successor = UserFactory(username="sam", first_name="Sam", last_name="Stays", roles=[roles.SRE])
    actions = [ActionFactory(owner=leaver) for _ in range(2)]
    drill = DrillFactory(participants=[leaver])
    DrillReportFactory(created_by=leaver)
    log_in(page, "root")

    page.goto(f"/admin/auth/user/{leaver.pk}/change/")
    page.get_by_test_id("offboard-link").click()

    expect(page.get_by_role("heading", name="Offboard Lena Leaves")).to_be_visible()
    checklist = page.get_by_test_id("checklist")
    expect(
        checklist.get_by_role("row", name=re.compile("Unfinished actions they own"))
    ).to_contain_text("2")
    expect(checklist.get_by_role("row", name=re.compile("Planned drills"))).to_contain_text("1")
    expect(checklist.get_by_role("row", name=re.compile("Draft drill reports"))).to_contain_text(
        "1"
    )
    screenshot("checklist")
    page.get_by_label("Hand their work over to").select_option(label="Sam Stays (sam)")
    page.get_by_role("button", name="Offboard Lena Leaves").click()

    expect(page.get_by_text("Lena Leaves is offboarded.")).to_be_visible()
    moved = page.get_by_test_id("moved")
    expect(
        moved.get_by_role("row", name=re.compile("Unfinished actions they own"))
    ).to_contain_text("handed over")
    expect(page.get_by_text("their work went to Sam Stays")).to_be_visible()
    screenshot("moved")
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert set(
        Action.objects.filter(pk__in=[a.pk for a in actions]).values_list("owner", flat=True)
    ) == {successor.pk}
    assert list(drill.participants.all()) == [successor]
    assert AccountEvent.objects.get(kind=AccountEvent.Kind.OFFBOARDED).actor.username == "root"
