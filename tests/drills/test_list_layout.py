"""The drill list, calendar and action list read well: no repeated column, every filter
labelled, calendar chips that show the title."""

import datetime as dt
import re

from django.utils import timezone

from tests.drills.factories import DrillFactory, DrillTypeFactory

LONG_TITLE = "Regional failover of the payments platform to the secondary site"


def _labelled_controls(page: str) -> tuple[set[str], set[str]]:
    form = page.split('role="search"')[1].split("</form>")[0]
    controls = set(re.findall(r'<(?:select|input)[^>]* id="([^"]+)"', form))
    labels = set(re.findall(r'<label class="form(?:-check)?-label[^"]*" for="([^"]+)"', form))
    return controls, labels


def test_the_drill_list_does_not_repeat_the_title_as_the_type(client_for, sre):
    failover = DrillTypeFactory(name="Failover")
    DrillFactory(drill_type=failover, title="Failover")
    DrillFactory(drill_type=failover, title="Payments failover")
    page = client_for(sre).get("/drills/list/").content.decode()
    table = page.split('<table class="table table-hover">')[1]
    assert '<th scope="col">Type</th>' not in table
    assert table.count(">Failover</a>") == 1 and table.count(">Failover</div>") == 1
    assert '<div class="small text-muted">Failover</div>' in table  # the other: its type under it


def test_every_drill_list_filter_has_a_visible_label(client_for, sre):
    controls, labels = _labelled_controls(client_for(sre).get("/drills/list/").content.decode())
    assert controls == {"q", "type", "status", "result", "quarter", "participant"}
    assert controls <= labels


def test_every_action_list_filter_has_a_visible_label(client_for, sre):
    controls, labels = _labelled_controls(client_for(sre).get("/actions/").content.decode())
    assert controls == {"q", "status", "priority", "owner", "source", "overdue"}
    assert controls <= labels


def test_a_calendar_chip_shows_the_whole_title_and_names_the_type(client_for, sre):
    starts = timezone.now() + dt.timedelta(days=1)
    DrillFactory(drill_type=DrillTypeFactory(name="Failover"), title=LONG_TITLE, starts_at=starts)
    page = client_for(sre).get(f"/drills/?month={starts:%Y-%m}").content.decode()
    chip = page.split('class="drill-chip chip-planned"', 2)[-1].split("</a>")[0]
    assert f"{LONG_TITLE} (Failover)" in chip  # the title attribute
    assert (
        f"</strong> {LONG_TITLE}</span>" in chip
        and '<span class="chip-type">Failover</span>' in chip
    )
