"""Two-factor in a real browser: an SRE without it is told, sets it up from their settings,
keeps their backup codes, and signs in next time with a backup code. And the
Content-Security-Policy every page carries: what it refuses, and Swagger UI working under it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from bcp_portal.core import roles
from bcp_portal.core.models import AccountEvent
from tests.factories import UserFactory
from tests.fixtures.browser import PASSWORD, csp_violations, log_in
from tests.twofactor import give_two_factor, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clock_step(time_machine):
    """Move the clock (the live server's too: same process) to the next 30-second step, so
    a TOTP code differs from the one used a moment ago, as it would for a person."""
    time_machine.move_to(datetime.now(UTC), tick=True)

    def step() -> None:
        time_machine.shift(timedelta(seconds=30))

    return step


def test_an_sre_sets_up_two_factor_and_signs_in_with_a_backup_code(page: Page, screenshot):
    UserFactory(username="sam", first_name="Sam", roles=[roles.SRE])

    # Password only: signed in, told why nothing can be changed yet.
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("two-factor-banner")).to_contain_text("two-factor")
    page.get_by_role("link", name="Set it up now").click()

    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.get_by_test_id("totp-qr")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    device = TOTPDevice.objects.get(user__username="sam", confirmed=False)
    assert secret.replace(" ", "") in device.config_url  # the text is the QR code's key
    screenshot("setup")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Code from the app you are setting up").fill(totp_code(device))
    page.get_by_role("button", name="Turn two-factor on").click()

    codes = page.get_by_test_id("backup-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    screenshot("backup-codes")
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_test_id("two-factor")).to_contain_text("10 unused backup codes")
    expect(page.get_by_test_id("two-factor-banner")).to_have_count(0)

    page.get_by_role("button", name="Sam").click()
    page.get_by_test_id("logout").click()
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("alert").first).to_contain_text("backup code; 9 left")


def test_the_policy_refuses_an_inline_style_and_the_guard_hears_it(page: Page, console_log):
    log_in(page, UserFactory(username="ari", roles=[roles.AUDITOR]).username)
    assert csp_violations(console_log) == []

    with page.expect_console_message() as refused:
        page.evaluate(
            "document.head.insertAdjacentHTML('beforeend', '<style>body { color: red }</style>')"
        )

    expect(page.locator("body")).not_to_have_css("color", "rgb(255, 0, 0)")
    assert csp_violations([refused.value.text]), refused.value.text
    console_log.clear()  # provoked on purpose: not a failure of this journey


def test_swagger_ui_works_under_the_policy(page: Page):
    page.goto("/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("BCP Portal API")
    expect(page.locator(".opblock-tag").first).to_be_visible()


def test_a_staff_member_resets_someones_two_factor_in_the_admin(page: Page, clock_step):
    staff = UserFactory(username="lena", first_name="Lena", is_staff=True, is_superuser=True)
    lost = UserFactory(username="sam", first_name="Sam", roles=[roles.SRE])
    give_two_factor(lost)
    log_in(page, staff.username)

    page.goto("/admin/auth/user/")
    page.get_by_role("checkbox", name="Select this object for an action - sam").check()
    page.locator("select[name=action]").select_option(label="Reset two-factor authentication")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_test_id("reset-targets")).to_contain_text("sam")
    clock_step()  # the sign-in used this step's code: the confirmation needs a fresh one
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Code").fill(totp_code(TOTPDevice.objects.get(user=staff)))
    page.get_by_role("button", name="Reset two-factor").click()

    expect(page.locator(".messagelist")).to_contain_text("Two-factor reset for sam")
    assert not TOTPDevice.objects.filter(user=lost).exists()
    assert AccountEvent.objects.filter(user=lost, actor=staff).exists()
    page.goto(f"/admin/auth/user/{lost.pk}/password/")
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
