"""The lists, the calendar and the people picker at a laptop's and a phone's width."""

import datetime as dt

import pytest
from django.utils import timezone

from bcp_portal.core import roles
from tests.actions.factories import ActionFactory
from tests.drills.factories import DrillFactory, DrillTypeFactory
from tests.factories import UserFactory
from tests.fixtures.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 812}
LONG_TITLE = "Regional failover of the payments platform"


def _box(page, selector: str) -> dict:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box


def test_the_action_filters_fit_one_row_on_a_laptop_and_stack_on_a_phone(page, screenshot):
    lead = UserFactory(username="lena", first_name="Lena", last_name="Lead", roles=[roles.SRE_LEAD])
    ActionFactory(owner=lead, title="Test the failover", due_date=dt.date(2026, 5, 14))
    log_in(page, "lena")
    page.set_viewport_size(LAPTOP)
    page.goto("/actions/")
    button = _box(page, "form[role=search] button[type=submit]")
    first = _box(page, "#status")
    last = _box(page, "#source")
    assert abs(button["y"] + button["height"] - (last["y"] + last["height"])) < 4  # same row
    assert abs(first["y"] - last["y"]) < 4
    # Each select is wide enough for its longest option's text.
    for select in ("#status", "#priority", "#owner", "#source"):
        scroll, client = page.eval_on_selector(select, "e => [e.scrollWidth, e.clientWidth]")
        assert scroll <= client and _box(page, select)["width"] >= 120, select
    screenshot("actions-1366")
    page.set_viewport_size(PHONE)
    page.goto("/actions/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("actions-375")


def test_calendar_chips_show_the_title_and_the_drill_list_has_labelled_filters(page, screenshot):
    UserFactory(username="lena", first_name="Lena", last_name="Lead", roles=[roles.SRE_LEAD])
    starts = timezone.now() + dt.timedelta(days=1)
    DrillFactory(drill_type=DrillTypeFactory(name="Failover"), title=LONG_TITLE, starts_at=starts)
    log_in(page, "lena")
    page.set_viewport_size(LAPTOP)
    page.goto(f"/drills/?month={starts:%Y-%m}")
    title = page.locator(".drill-chip .chip-title").first
    clipped = title.evaluate("e => e.scrollHeight > e.clientHeight + 1")
    assert not clipped and LONG_TITLE in title.inner_text()
    screenshot("calendar-1366")
    page.goto("/drills/list/")
    for name in ("Search", "Type", "Status", "Result", "Quarter", "Participant"):
        assert page.get_by_label(name, exact=True).is_visible()
    screenshot("drills-1366")
    page.set_viewport_size(PHONE)
    page.goto("/drills/list/")
    screenshot("drills-375")
    page.goto(f"/drills/?month={starts:%Y-%m}")
    screenshot("calendar-375")


def test_the_people_picker_filters_as_you_type_and_counts_the_chosen(page, screenshot):
    UserFactory(username="lena", first_name="Lena", last_name="Lead", roles=[roles.SRE_LEAD])
    UserFactory(username="omar", first_name="Omar", last_name="Okafor", roles=[roles.SRE])
    UserFactory(username="sam", first_name="Sam", last_name="Reyes", roles=[roles.SRE])
    log_in(page, "lena")
    page.set_viewport_size(LAPTOP)
    page.goto("/drills/new/")
    page.get_by_role("searchbox", name="Participants").fill("oka")
    assert page.get_by_label("Omar Okafor").is_visible()
    assert not page.get_by_label("Sam Reyes").is_visible()
    page.get_by_label("Omar Okafor").check()
    assert page.locator("[data-chosen-count]").inner_text() == "1"
    screenshot("picker-1366")
