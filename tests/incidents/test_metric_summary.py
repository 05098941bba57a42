"""The DR metrics' monthly summary (`incidents.metric_summary`): kept by the services in the
incident's own transaction, equal to a full rebuild and to the live figures whatever the
sequence of changes, following the targets and the organisation's zone it is measured by."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.catalogue.services import organisation_profile_update, service_update
from bcp_portal.core.people import zone_named
from incidents import metric_summary, metrics
from incidents.models import Incident, IncidentMetricMonth, IncidentType, ServiceOutageIsland
from incidents.models_metrics import SUM_FIELDS
from incidents.services import lifecycle
from incidents.services.reference import incident_type_update
from tests.factories import ServiceFactory
from tests.incidents.factories import declare

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 10, 12, 0, tzinfo=dt.UTC)
# Availability runs to "now" within a period not over: a now inside the periods, and after.
NOWS = (dt.datetime(2026, 3, 17, 8, 30, tzinfo=dt.UTC), NOW)
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def summary_rows() -> list[tuple]:
    return sorted(
        IncidentMetricMonth.objects.values_list("month", "severity", "service", *SUM_FIELDS)
    )


def island_rows() -> list[tuple]:
    """The islands, lengths to the millisecond: SQLite's interval arithmetic (julianday, a
    float of days) is off by some microseconds; PostgreSQL's is exact."""
    return sorted(
        (*row[:4], round(row[4], 3), row[5])
        for row in ServiceOutageIsland.objects.values_list(
            "service", "severity", "starts_at", "ends_at", "before_seconds", "before_count"
        )
    )


def figures(scope: metrics.Scope, *, live: bool) -> list[tuple]:
    read = metrics.monthly_figures_live if live else metrics.monthly_figures
    return [
        (row.month, row.severity, row.figures.as_dict())
        for row in read(scope, organisation_profile())
    ]


def scopes(services) -> list[metrics.Scope]:
    zone = zone_named(organisation_profile().time_zone)
    periods = [
        metrics.Period(dt.date(2026, 1, 1), dt.date(2026, 5, 1), zone),
        metrics.Period(dt.date(2026, 3, 1), dt.date(2026, 3, 1), zone),
    ]
    return [
        metrics.Scope(period=period, service_id=service, severity=severity)
        for period in periods
        for service in [None, *(s.pk for s in services)]
        for severity in ["", "P1", "P3"]
    ]


def random_times(rng: random.Random) -> dict:
    detected = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
        minutes=rng.randrange(0, 180 * 24 * 60)
    )
    times = {"detected_at": min(detected, NOW - dt.timedelta(hours=1)), "started_at": None}
    if rng.random() < 0.7:
        times["started_at"] = times["detected_at"] - dt.timedelta(minutes=rng.randrange(0, 90))
    return times


@pytest.mark.parametrize("seed", [20261129, 7, 1905])
def test_incremental_upkeep_equals_a_full_rebuild_and_the_live_figures(srelead, admin_user, seed):
    """A random sequence of every service call that changes what the figures read."""
    rng = random.Random(seed)
    services = [
        ServiceFactory(
            name=f"S{n}",
            rto_target_minutes=30 * n,
            rto_max_minutes=120 * n,
            rpo_target_minutes=5 * n,
            rpo_max_minutes=20 * n,
        )
        for n in (1, 2, 3)
    ]
    types = list(IncidentType.objects.order_by("pk"))
    incidents: list[Incident] = []
    with time_machine.travel(NOW, tick=False):
        for step in range(60):
            action = rng.choice(
                ["declare"] * 3 + ["status", "reopen", "update", "severity", "targets"]
            )
            if action == "declare" or not incidents:
                chosen = rng.sample(services, rng.randrange(0, 3))
                extra = {}
                if rng.random() < 0.5:
                    extra = {"rpo_actual_minutes": rng.randrange(0, 60), "rpo_basis": "backup"}
                if rng.random() < 0.6:
                    extra["affected_users"] = rng.randrange(0, 1000)
                incidents.append(
                    declare(
                        srelead,
                        title=f"I{step}",
                        type_key=rng.choice(types).key,
                        severity=rng.choice(["P0", "P1", "P2", "P3"]),
                        services=chosen,
                        **random_times(rng),
                        **extra,
                    )
                )
                continue
            incident = Incident.objects.get(pk=rng.choice(incidents).pk)
            if action == "status":
                later = [s for s in lifecycle.STATUS_ORDER[1:] if
                         lifecycle.STATUS_ORDER.index(s) >
                         lifecycle.STATUS_ORDER.index(incident.status)]  # fmt: skip
                if later:
                    at = incident.detected_at + dt.timedelta(minutes=rng.randrange(1, 600))
                    lifecycle.incident_set_status(
                        actor=srelead, incident=incident, status=rng.choice(later),
                        at=min(at, NOW),
                    )  # fmt: skip
            elif action == "reopen" and incident.status in ("restored", "closed"):
                lifecycle.incident_reopen(actor=srelead, incident=incident, reason="Back")
            elif action == "update":
                fields: dict = rng.choice(
                    [
                        {"services": rng.sample(services, rng.randrange(0, 4))},
                        {"incident_type": rng.choice(types)},
                        {"affected_users": rng.choice([None, rng.randrange(0, 500)])},
                        {"title": "Only the title"},
                    ]
                )
                if rng.random() < 0.4 and incident.restored_at is None:
                    fields |= random_times(rng)
                lifecycle.incident_update(actor=srelead, incident=incident, **fields)
            elif action == "severity":
                others = [s for s in ["P0", "P1", "P2", "P3"] if s != incident.severity]
                lifecycle.incident_set_severity(
                    actor=srelead, incident=incident, severity=rng.choice(others), reason="x"
                )
            elif action == "targets":
                target = rng.choice(["service", "type", "profile"])
                if target == "service":
                    service = rng.choice(services)
                    minutes = rng.randrange(10, 200)
                    service_update(actor=srelead, service=service, rto_target_minutes=minutes,
                                   rto_max_minutes=minutes * 2)  # fmt: skip
                elif target == "type" and rng.random() < 0.3:
                    kind = IncidentType.objects.get(pk=rng.choice(types).pk)
                    incident_type_update(
                        actor=srelead,
                        incident_type=kind,
                        is_partial_degradation=not kind.is_partial_degradation,
                    )
                elif target == "type":
                    incident_type_update(
                        actor=srelead,
                        incident_type=rng.choice(types),
                        expected_rto_minutes=rng.choice([None, rng.randrange(10, 300)]),
                    )
                else:
                    organisation_profile_update(
                        actor=admin_user, profile=organisation_profile(),
                        rpo_target_minutes=rng.randrange(1, 60),
                        time_zone=rng.choice(["UTC", "Europe/Paris", "America/New_York"]),
                    )  # fmt: skip
        kept = summary_rows()
        kept_islands = island_rows()
        live = {i: figures(s, live=True) for i, s in enumerate(scopes(services))}
        summarised = {i: figures(s, live=False) for i, s in enumerate(scopes(services))}
        outages_live = {
            (i, now): metrics.downtime_by_service_live(s, now)
            for i, s in enumerate(scopes(services))
            for now in NOWS
        }
        outages = {
            (i, now): metrics.downtime_by_service(s, now)
            for i, s in enumerate(scopes(services))
            for now in NOWS
        }
        metric_summary.rebuild()
        rebuilt = summary_rows()
        rebuilt_islands = island_rows()

    assert len(incidents) > 15 and kept  # the sequence did something
    assert kept == rebuilt
    assert summarised == live
    assert kept_islands == rebuilt_islands
    assert outages == outages_live
    assert any(outages.values())  # there were outages to compare
    assert not IncidentMetricMonth.objects.filter(incidents=0).exists()


def test_a_service_target_change_moves_its_incidents_attainment(srelead):
    service = ServiceFactory(rto_target_minutes=60, rto_max_minutes=240)
    scope = metrics.Scope(period=metrics.Period(dt.date(2026, 3, 1), dt.date(2026, 3, 1), dt.UTC))
    with time_machine.travel(NOW, tick=False):
        declare(srelead, services=[service], started_at=dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC),
                detected_at=dt.datetime(2026, 3, 10, 9, 10, tzinfo=dt.UTC),
                restored_at=dt.datetime(2026, 3, 10, 10, 30, tzinfo=dt.UTC))  # fmt: skip
        (before,) = metrics.monthly_figures(scope, organisation_profile())
        service_update(actor=srelead, service=service, rto_target_minutes=90)
        (after,) = metrics.monthly_figures(scope, organisation_profile())
    assert before.figures.rto_within_target == 0  # 90 minutes against 60
    assert after.figures.rto_within_target == 1  # a bound met exactly is met


def test_changing_the_organisation_zone_moves_incidents_between_months(srelead, admin_user):
    with time_machine.travel(NOW, tick=False):
        declare(srelead, detected_at=dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC))
        organisation_profile_update(
            actor=admin_user, profile=organisation_profile(), time_zone="Europe/Paris"
        )
    months = IncidentMetricMonth.objects.filter(service=0).values_list("month", flat=True)
    assert list(months) == [dt.date(2026, 4, 1)]  # 01:30 on 1 April in Paris


def test_the_summary_is_dropped_where_an_incident_left_a_month(srelead):
    with time_machine.travel(NOW, tick=False):
        incident = declare(srelead, detected_at=dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC))
        lifecycle.incident_update(
            actor=srelead, incident=incident, detected_at=dt.datetime(2026, 4, 5, 9, tzinfo=dt.UTC)
        )
    assert list(IncidentMetricMonth.objects.values_list("month", flat=True)) == [
        dt.date(2026, 4, 1)
    ]


def test_the_rebuild_command_is_idempotent_and_restores_a_summary_left_behind(srelead):
    service = ServiceFactory()
    with time_machine.travel(NOW, tick=False):
        declare(srelead, services=[service], detected_at=NOW - dt.timedelta(days=3))
    kept = summary_rows()
    IncidentMetricMonth.objects.all().delete()  # as a change outside the services would
    call_command("rebuild_incident_metrics", verbosity=0)
    call_command("rebuild_incident_metrics", verbosity=0)
    assert summary_rows() == kept
    assert len(kept) == 2  # every incident, and the service's


def test_a_change_that_the_figures_do_not_read_leaves_the_summary_alone(srelead):
    incident = declare(srelead)
    with CaptureQueriesContext(connection) as captured:
        lifecycle.incident_update(actor=srelead, incident=incident, title="A clearer title")
    assert captured.captured_queries  # the edit happened
    assert not any("incidentmetricmonth" in q["sql"] for q in captured.captured_queries)
