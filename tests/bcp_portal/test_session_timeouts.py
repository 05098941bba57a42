"""Sessions end after SESSION_IDLE_MINUTES without a request and SESSION_ABSOLUTE_HOURS
after signing in, whatever happens in between (issue #8 item 13)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def signed_in(client_for, sre, time_machine):
    time_machine.move_to(T0, tick=False)
    return client_for(sre)


def is_signed_in(client) -> bool:
    return client.get(reverse("dashboard")).status_code == 200


def test_the_timeouts_are_settings_with_sensible_defaults(settings):
    assert settings.SESSION_IDLE_MINUTES == 30
    assert settings.SESSION_ABSOLUTE_HOURS == 12
    # The cookie dies at the absolute limit too.
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60


def test_a_session_idle_longer_than_the_limit_is_signed_out_with_a_message(
    signed_in, time_machine, settings
):
    time_machine.shift(timedelta(minutes=settings.SESSION_IDLE_MINUTES, seconds=1))

    response = signed_in.get(reverse("dashboard"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    page = signed_in.get(response["Location"]).content.decode()
    assert f"signed out after {settings.SESSION_IDLE_MINUTES} minutes without activity" in page


def test_a_session_used_within_the_idle_limit_stays_signed_in(signed_in, time_machine, settings):
    for _ in range(4):
        time_machine.shift(timedelta(minutes=settings.SESSION_IDLE_MINUTES - 1))
        assert is_signed_in(signed_in)


def test_a_busy_session_still_ends_at_the_absolute_limit(signed_in, time_machine, settings):
    steps = settings.SESSION_ABSOLUTE_HOURS * 60 // 20
    for _ in range(steps):
        time_machine.shift(timedelta(minutes=20))
        assert is_signed_in(signed_in)

    time_machine.shift(timedelta(minutes=20))

    assert not is_signed_in(signed_in)


def test_signing_in_again_starts_a_new_absolute_limit(client_for, sre, time_machine, settings):
    time_machine.move_to(T0, tick=False)
    client_for(sre)
    time_machine.shift(timedelta(hours=settings.SESSION_ABSOLUTE_HOURS - 1))
    client = client_for(sre)

    time_machine.shift(timedelta(hours=2))
    # Idle for two hours would end it anyway: keep it busy to see the absolute limit alone.
    settings.SESSION_IDLE_MINUTES = 24 * 60

    assert is_signed_in(client)


def test_the_api_with_a_session_is_signed_out_too(signed_in, time_machine, settings):
    time_machine.shift(timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1))

    response = signed_in.get(reverse("api:me"))

    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"
