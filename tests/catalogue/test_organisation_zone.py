import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bcp_portal.catalogue.selectors import (
    organisation_profile,
    organisation_profile_read_once,
    organisation_today,
    organisation_zone,
)


def test_the_organisation_time_zone_must_be_an_iana_zone(db):
    profile = organisation_profile()
    profile.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as exc:
        profile.full_clean()
    assert "time_zone" in exc.value.message_dict
    profile.time_zone = "Europe/Paris"
    profile.full_clean()


def test_organisation_today_is_the_date_in_the_profiles_zone(db):
    profile = organisation_profile()
    profile.time_zone = "America/Los_Angeles"
    profile.save()
    now = dt.datetime(2027, 1, 1, 3, 0, tzinfo=dt.UTC)
    assert organisation_zone().key == "America/Los_Angeles"
    assert organisation_today(now) == dt.date(2026, 12, 31)


def test_an_unknown_stored_zone_reads_as_utc(db):
    profile = organisation_profile()
    profile.time_zone = "Nowhere/Special"
    profile.save()
    assert organisation_zone().key == "UTC"


def test_a_read_once_block_reads_the_profile_once_and_later_reads_see_a_change(
    db, django_assert_num_queries
):
    organisation_profile()  # created on first use
    with django_assert_num_queries(1), organisation_profile_read_once():
        first = organisation_profile()
        assert organisation_profile() is first
    first.time_zone = "Europe/Paris"
    first.save()
    assert organisation_profile().time_zone == "Europe/Paris"
