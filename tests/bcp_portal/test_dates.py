"""One date format everywhere, following the reader's preference; durations as people say them."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone

from bcp_portal.core import dates, pdf
from bcp_portal.core.durations import humanize_minutes
from bcp_portal.core.people import user_date_format
from tests.actions.factories import ActionFactory
from tests.factories import ServiceFactory, UserFactory

MOMENT = dt.datetime(2026, 5, 14, 12, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("minutes", "said"),
    [
        (None, "—"),
        (0, "0 min"),
        (45, "45 min"),
        (60, "1 h"),
        (240, "4 h"),
        (90, "1 h 30 min"),
        (1440, "1 d"),
        (7 * 1440, "7 d"),
        (1440 + 125, "1 d 2 h 5 min"),
    ],
)
def test_minutes_are_said_in_days_hours_and_minutes(minutes, said):
    assert humanize_minutes(minutes) == said


def test_the_duration_filter_keeps_the_exact_minutes_in_a_title():
    html = Template("{% load when %}{{ m|duration }}|{{ none|duration }}").render(
        Context({"m": 90, "none": None})
    )
    assert html == '<span title="90 min">1 h 30 min</span>|—'


@pytest.mark.parametrize(
    ("preference", "day", "moment"),
    [
        ("iso", "2026-05-14", "2026-05-14 14:30 CEST"),
        ("long", "14 May 2026", "14 May 2026 14:30 CEST"),
        ("dmy", "14/05/2026", "14/05/2026 14:30 CEST"),
        ("mdy", "05/14/2026", "05/14/2026 14:30 CEST"),
    ],
)
def test_the_date_filters_follow_the_active_preference_and_zone(preference, day, moment):
    template = Template("{% load when %}{{ d|day }}|{{ t|moment }}|{{ t|day }}")
    with dates.override(preference), timezone.override("Europe/Paris"):
        rendered = template.render(Context({"d": MOMENT.date(), "t": MOMENT}))
    assert rendered == f"{day}|{moment}|{day}"


def test_an_unknown_preference_falls_back_to_iso(db):
    with dates.override("klingon"):
        assert dates.format_day(MOMENT.date()) == "2026-05-14"
    user = UserFactory()
    user.profile.date_format = "nonsense"
    assert user_date_format(user) == "iso"
    assert user_date_format(None) == "iso"


def test_a_person_changes_their_date_format_beside_their_zone(client_for, sre):
    client = client_for(sre)
    page = client.get("/accounts/settings/").content.decode()
    assert 'name="date_format"' in page and "14 May 2026" in page
    response = client.post(
        "/accounts/settings/", {"time_zone": "Europe/Paris", "date_format": "dmy"}
    )
    assert response.status_code == 302
    sre.profile.refresh_from_db()
    assert (sre.profile.time_zone, sre.profile.date_format) == ("Europe/Paris", "dmy")


def test_an_unknown_date_format_is_refused_naming_the_field_and_the_input_kept(client_for, sre):
    response = client_for(sre).post(
        "/accounts/settings/",
        {"time_zone": "Europe/Paris", "date_format": "yyyy", "phone": "+353 1 555"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice" in page and 'value="+353 1 555"' in page
    sre.profile.refresh_from_db()
    assert sre.profile.date_format == "iso"


def test_pages_show_dates_in_the_readers_format(client_for, sre):
    action = ActionFactory(owner=sre, due_date=dt.date(2026, 5, 14))
    sre.profile.date_format = "long"
    sre.profile.save()
    client = client_for(sre)
    assert "14 May 2026" in client.get(action.get_absolute_url()).content.decode()
    assert "14 May 2026" in client.get("/actions/").content.decode()
    sre.profile.date_format = "mdy"
    sre.profile.save()
    assert "05/14/2026" in client.get("/actions/").content.decode()


def test_the_preference_ends_with_the_request(client_for, sre):
    sre.profile.date_format = "dmy"
    sre.profile.save()
    client_for(sre).get("/actions/")
    assert dates.active() == "iso"


def test_a_pdf_rendered_in_a_worker_uses_the_readers_format(sre):
    sre.profile.date_format = "dmy"
    sre.profile.save()
    html = pdf.render_html(
        template="print/drill_summary.html",
        context={"today": dt.date(2026, 5, 14), "rows": [], "rates": [], "planned": []},
        reader=sre,
        now=MOMENT,
    )
    assert "As of 14/05/2026" in html and "14/05/2026 12:30 UTC" in html
    assert dates.active() == "iso"  # the worker's own preference is left as it was


def test_the_service_pages_and_pdf_say_objectives_as_people_do(client_for, sre):
    service = ServiceFactory(rto_target_minutes=240, rto_max_minutes=1440, rpo_target_minutes=90)
    client = client_for(sre)
    detail = client.get(service.get_absolute_url()).content.decode()
    assert '<span title="240 min">4 h</span>' in detail
    assert '<span title="1440 min">1 d</span>' in detail
    assert '<span title="90 min">1 h 30 min</span>' in detail
    listing = client.get("/services/").content.decode()
    assert '<span title="240 min">4 h</span>' in listing


def test_a_wall_clock_time_is_read_in_the_zone_it_was_stated_in():
    at = dates.wall_clock(dt.datetime(2026, 11, 27, 10, 0), "America/New_York")
    assert at.astimezone(dt.UTC) == dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.UTC)


def test_a_wall_clock_time_the_clocks_skip_is_refused_whichever_one_is_picked():
    for fold in (None, 0, 1):
        with pytest.raises(dates.WallClockError) as refused:
            dates.wall_clock(dt.datetime(2026, 3, 8, 2, 30), "America/New_York", fold=fold)
        assert refused.value.skipped
        assert "does not exist in America/New_York" in str(refused.value)


def test_a_wall_clock_time_shown_twice_is_refused_unless_the_person_picks_one():
    naive = dt.datetime(2026, 11, 1, 1, 30)
    with pytest.raises(dates.WallClockError) as refused:
        dates.wall_clock(naive, "America/New_York")
    assert not refused.value.skipped and "happens twice" in str(refused.value)
    first = dates.wall_clock(naive, "America/New_York", fold=0)
    second = dates.wall_clock(naive, "America/New_York", fold=1)
    assert first.astimezone(dt.UTC).hour == 5 and second.astimezone(dt.UTC).hour == 6
