"""The iCalendar feed per user: a private URL with a revocable token, and its page."""

import datetime as dt

import icalendar
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from drills.models import CalendarFeedToken, Drill
from drills.services import feeds as services
from drills.services import planning
from tests.drills.factories import CalendarFeedTokenFactory, DrillFactory

UTC = dt.UTC


@pytest.fixture
def frozen(db, time_machine):
    time_machine.move_to(dt.datetime(2027, 1, 10, 12, 0, tzinfo=UTC), tick=False)
    return time_machine


def feed_path(raw: str) -> str:
    return f"/drills/feed/{raw}.ics"


def events(response) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_parses_and_carries_my_drills_in_utc(frozen, sre):
    drill = DrillFactory(
        title="Restore drill",
        starts_at=dt.datetime(2027, 1, 12, 10, 0, tzinfo=UTC),
        planned_duration_minutes=120,
        participants=[sre],
    )
    _, raw = services.calendar_token_create(user=sre, scope=CalendarFeedToken.Scope.MINE)
    response = Client().get(feed_path(raw))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    found = events(response)
    event = found["DR drill: Restore drill"]
    assert event["dtstart"].dt == dt.datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
    assert event["dtend"].dt == dt.datetime(2027, 1, 12, 12, 0, tzinfo=UTC)
    assert b"DTSTART:20270112T100000Z" in response.content
    assert str(event["uid"]).startswith(f"drill-{drill.pk}@")
    assert str(event["url"]).endswith(drill.get_absolute_url())
    description = str(event["description"])
    assert "Scenario: Restore the primary database" in description
    assert f"Participants: {sre.get_full_name()}" in description


def test_the_uid_of_a_drill_is_stable_when_it_moves(frozen, sre, srelead):
    drill = DrillFactory(participants=[sre])
    _, raw = services.calendar_token_create(user=sre)
    before = events(Client().get(feed_path(raw)))
    planning.drill_update(
        actor=srelead, drill=drill, starts_at=drill.starts_at + dt.timedelta(days=1)
    )
    after = events(Client().get(feed_path(raw)))
    assert [str(e["uid"]) for e in before.values()] == [str(e["uid"]) for e in after.values()]


def test_a_mine_feed_leaves_out_other_peoples_drills(frozen, sre, srelead):
    DrillFactory(title="Mine", participants=[sre])
    DrillFactory(title="The lead's", participants=[srelead])
    DrillFactory(title="Nobody's")
    _, raw = services.calendar_token_create(user=sre, scope=CalendarFeedToken.Scope.MINE)
    # An SRE is reminded of drills nobody is assigned to yet, so their feed carries them.
    assert set(events(Client().get(feed_path(raw)))) == {"DR drill: Mine", "DR drill: Nobody's"}
    _, raw = services.calendar_token_create(user=srelead, scope=CalendarFeedToken.Scope.MINE)
    assert set(events(Client().get(feed_path(raw)))) == {"DR drill: The lead's"}


def test_an_all_feed_carries_every_drill_and_marks_cancelled_ones(frozen, sre):
    DrillFactory(title="Mine", participants=[sre])
    DrillFactory(title="Called off", status=Drill.Status.CANCELLED)
    _, raw = services.calendar_token_create(user=sre, scope=CalendarFeedToken.Scope.ALL)
    found = events(Client().get(feed_path(raw)))
    assert set(found) == {"DR drill: Mine", "DR drill: Called off"}
    assert str(found["DR drill: Called off"]["status"]) == "CANCELLED"


def test_a_revoked_token_is_a_404(frozen, sre):
    token, raw = services.calendar_token_create(user=sre)
    assert Client().get(feed_path(raw)).status_code == 200
    services.calendar_token_revoke(actor=sre, token=token)
    assert Client().get(feed_path(raw)).status_code == 404


def test_an_unknown_token_is_a_404(frozen):
    assert Client().get(feed_path(CalendarFeedToken.new_token())).status_code == 404


def test_a_feed_of_someone_who_lost_their_role_is_a_404(frozen, sre):
    _, raw = services.calendar_token_create(user=sre)
    sre.groups.clear()
    assert Client().get(feed_path(raw)).status_code == 404


def test_only_the_hash_of_a_token_is_stored(frozen, sre):
    token, raw = services.calendar_token_create(user=sre)
    token.refresh_from_db()
    assert token.token_hash == CalendarFeedToken.hash(raw) and raw not in token.token_hash
    assert token.prefix == raw[:8]


def test_nobody_revokes_someone_elses_feed(frozen, sre, srelead):
    token = CalendarFeedTokenFactory(user=srelead)
    with pytest.raises(PermissionDenied):
        services.calendar_token_revoke(actor=sre, token=token)


def test_someone_without_a_role_cannot_create_a_feed(frozen, outsider):
    with pytest.raises(PermissionDenied):
        services.calendar_token_create(user=outsider)


# --- The feeds page --------------------------------------------------------------------------


def test_the_page_shows_a_new_feed_url_once(frozen, client_for, sre):
    client = client_for(sre)
    response = client.post("/drills/feeds/", {"action": "create", "scope": "all"})
    page = response.content.decode()
    assert 'data-testid="new-feed"' in page
    token = CalendarFeedToken.objects.get(user=sre)
    assert token.scope == "all"
    url = page.split("/drills/feed/", 1)[1].split(".ics", 1)[0]
    assert CalendarFeedToken.hash(url) == token.token_hash
    later = client.get("/drills/feeds/").content.decode()
    assert url not in later and f"{token.prefix}…" in later


def test_the_page_revokes_my_feed_but_not_someone_elses(frozen, client_for, sre, srelead):
    mine = CalendarFeedTokenFactory(user=sre)
    theirs = CalendarFeedTokenFactory(user=srelead)
    client = client_for(sre)
    client.post("/drills/feeds/", {"action": "revoke", "token": str(theirs.pk)})
    client.post("/drills/feeds/", {"action": "revoke", "token": str(mine.pk)})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None
    assert mine.history.latest().history_user == sre


def test_someone_without_a_role_has_no_feeds_page(frozen, client_for, outsider):
    assert client_for(outsider).get("/drills/feeds/").status_code == 403
