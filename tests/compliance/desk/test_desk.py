"""The compliance desk: running clocks by time left, filters, labels, who may read it."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bcp_portal.catalogue.models import LegalEntity
from bcp_portal.catalogue.selectors import organisation_profile
from compliance.desk_selectors import countdown_text
from compliance.models_notifications import NotificationRegime
from tests.compliance.desk import factories as f
from tests.conftest import make_persona

pytestmark = pytest.mark.django_db

DESK = "/compliance/desk/"


@pytest.fixture
def dpo(db):
    return make_persona("dpo")


def rows(response) -> list[str]:
    """Each row's incident reference and stage, in the order shown."""
    return [
        f"{c.obligation.incident.reference} {c.obligation.stage_name}"
        for c in response.context["clocks"]
    ]


def test_the_desk_lists_running_clocks_soonest_first_with_the_overdue_on_top(client_for, dpo):
    incident = f.incident()
    later = f.obligation(incident, stage_name="Later", due_in=timedelta(hours=60))
    overdue = f.obligation(incident, stage_name="Overdue", due_in=timedelta(hours=-3))
    sooner = f.obligation(incident, stage_name="Sooner", due_in=timedelta(hours=5))
    undated = f.obligation(
        incident, stage_name="Undue delay", due_in=None, counting="no_fixed_period"
    )
    f.obligation(incident, stage_name="Done", status="submitted")
    response = client_for(dpo).get(DESK)
    assert response.status_code == 200
    shown = [c.obligation.pk for c in response.context["clocks"]]
    assert shown == [overdue.pk, sooner.pk, later.pk, undated.pk]
    html = response.content.decode()
    assert 'data-testid="label-overdue"' in html
    assert "overdue by 3 h 0 min" in html or "overdue by 2 h 59 min" in html
    assert "No fixed period (without undue delay)" in html


def test_a_row_shows_the_due_time_in_the_readers_zone_and_in_utc(client_for, dpo):
    dpo.profile.time_zone = "America/New_York"
    dpo.profile.save()
    due = timezone.now().replace(microsecond=0) + timedelta(days=2)
    f.obligation(due_at=due, due_in=None)
    html = client_for(dpo).get(DESK).content.decode()
    assert f"{due.astimezone(UTC):%H:%M} UTC" in html
    new_york = due.astimezone(ZoneInfo("America/New_York"))
    assert f"{new_york:%H:%M}" in html
    # The countdown element carries the instant the script counts to.
    assert f'data-due="{new_york.isoformat()}"' in html


def test_provisional_and_unverified_clocks_are_labelled_and_provisional_ones_boxed(client_for, dpo):
    f.obligation(stage_name="From detection", provisional=True, anchor_at=None)
    f.obligation(stage_name="Unsure", verified=False)
    html = client_for(dpo).get(DESK).content.decode()
    assert 'data-testid="label-provisional"' in html
    assert 'data-testid="label-unverified"' in html
    assert 'data-testid="desk-provisional"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("overdue=1", ["Overdue"]),
        ("provisional=1", ["Provisional"]),
        ("due=1", ["Overdue", "Soon", "Far"]),
        ("within=24h", ["Overdue", "Soon"]),
        ("status=waived", ["Waived"]),
        ("regime=nis2", ["NIS2"]),
        ("entity=Example+SAS", ["Soon"]),
        ("q=Waived", []),
        ("q=NIS2+early", ["NIS2"]),
    ],
)
def test_the_desk_filters(client_for, dpo, query, expected):
    incident = f.incident()
    f.obligation(incident, stage_name="Overdue", due_in=timedelta(hours=-1))
    f.obligation(incident, stage_name="Soon", due_in=timedelta(hours=2), entity="Example SAS")
    f.obligation(incident, stage_name="Far", due_in=timedelta(days=20))
    f.obligation(
        incident,
        stage_name="Provisional",
        due_in=timedelta(days=25),
        provisional=True,
        anchor_at=None,
    )
    f.obligation(incident, stage_name="Waived", status="waived")
    f.obligation(
        incident,
        stage_name="NIS2 early warning",
        regime_key="nis2",
        due_in=timedelta(days=30),
        anchor_at=None,
    )
    NotificationRegime.objects.create(key="nis2", name="NIS2", data_version=1)
    LegalEntity.objects.create(profile=organisation_profile(), name="Example SAS")
    response = client_for(dpo).get(f"{DESK}?{query}")
    assert response.status_code == 200
    stages = [c.obligation.stage_name for c in response.context["clocks"]]
    assert [s.split(" ")[0] for s in stages] == [e.split(" ")[0] for e in expected]


@pytest.mark.parametrize(
    "query",
    [
        "status=late",
        "regime=nope",
        "overdue=maybe",
        "within=1y",
        "due_from=2026-13-01",
        "incident=0",
        "page=abc",
    ],
)
def test_a_bad_filter_is_a_400_naming_it_never_a_500(client_for, dpo, query):
    f.obligation()
    response = client_for(dpo).get(f"{DESK}?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.content.decode()


def test_the_desk_says_when_nothing_runs_and_when_filters_match_nothing(client_for, dpo):
    client = client_for(dpo)
    assert "No clock is running" in client.get(DESK).content.decode()
    f.obligation()
    html = client.get(f"{DESK}?status=waived").content.decode()
    assert "No obligation matches these filters" in html


@pytest.mark.parametrize("persona", ["dpo", "legal", "auditor"])
def test_the_dpo_legal_counsel_and_the_auditor_read_the_desk(client_for, persona):
    f.obligation()
    assert client_for(make_persona(persona)).get(DESK).status_code == 200


@pytest.mark.parametrize("persona", ["sre", "srelead", "engmgr", "cto", "outsider"])
def test_other_roles_may_not_read_the_desk(client_for, persona):
    assert client_for(make_persona(persona)).get(DESK).status_code == 403


@pytest.mark.parametrize("count", [2, 30])
def test_the_desk_query_count_does_not_grow_with_rows(
    client_for, dpo, count, django_assert_num_queries
):
    incident = f.incident()
    for n in range(count):
        f.obligation(
            incident if n % 2 else None, due_in=timedelta(hours=n - 5), provisional=n % 3 == 0
        )
    client = client_for(dpo)
    client.get(DESK)
    # session, user, 2FA device, profile, permissions, count, rows (incidents joined),
    # the provisional box, the filter choices (regimes, entities)
    with django_assert_num_queries(10):
        assert client.get(DESK).status_code == 200


def test_the_countdown_words_are_those_the_script_writes():
    assert countdown_text(3 * 86400 + 4 * 3600 + 5 * 60 + 6) == "3 d 4 h 5 min left"
    assert countdown_text(2 * 3600) == "2 h 0 min left"
    assert countdown_text(12 * 60 + 30) == "12 min 30 s left"
    assert countdown_text(-(2 * 3600 + 60)) == "overdue by 2 h 1 min"
    assert countdown_text(0) == "0 min 0 s left"


def test_the_desk_offers_its_views_and_marks_the_current_one(client_for, dpo):
    f.obligation()
    html = client_for(dpo).get(f"{DESK}?due=1").content.decode()
    views = html.split('data-testid="desk-views"')[1].split("</ul>")[0]
    for label in (
        "Running clocks",
        "Submissions due",
        "Overdue",
        "Provisional",
        "Every obligation",
    ):
        assert label in views
    assert 'active" aria-current="page" href="?due=1"' in views
