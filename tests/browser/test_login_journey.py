"""The first journey in a real browser: an SRE logs in (password, then a code from their
authenticator app), sees the dashboard, logs out."""

import re

import pytest
from playwright.sync_api import Page, expect

from bcp_portal.core import roles
from tests.factories import UserFactory
from tests.twofactor import give_two_factor, totp_code

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"  # what UserFactory sets


def test_an_sre_logs_in_sees_the_dashboard_and_logs_out(page: Page, screenshot):
    # The live server runs on a transactional database: the user is made here, not shared.
    sam = UserFactory(username="sam", first_name="Sam", roles=[roles.SRE])
    app = give_two_factor(sam)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/code/\?next=%2F$"))
    page.get_by_label("Code").fill(totp_code(app))
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sam")
    # Each box loads its panel after the page: wait until none is still loading, then
    # read the panels an SRE sees.
    panels = page.get_by_test_id("dashboard-panels")
    expect(panels.locator('[aria-busy="true"]')).to_have_count(0)
    expect(panels.get_by_test_id("panel-body-my-drills")).to_be_visible()
    expect(panels.get_by_role("heading", name="My drills")).to_be_visible()
    expect(panels.get_by_role("heading", name="My actions")).to_be_visible()
    expect(panels.get_by_text("This panel could not be loaded.")).to_have_count(0)
    nav = page.get_by_test_id("main-nav")
    expect(nav.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Services")).to_be_visible()
    # An SRE is not staff: no admin entry.
    expect(nav.get_by_role("link", name="Admin")).to_have_count(0)
    screenshot("dashboard")

    page.get_by_role("button", name="Sam").click()  # the user menu
    page.get_by_test_id("logout").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    screenshot("logged-out")
