"""The demo year of incidents: varied enough for the metrics to show something, declared once."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django.db.models import Count
from django.utils import timezone

from bcp_portal.catalogue.demo import load_catalogue
from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core import roles
from incidents import metrics
from incidents.demo import load_incident_year
from incidents.models import Incident
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(db):
    UserFactory(username="sre", roles=[roles.SRE])
    UserFactory(username="srelead", roles=[roles.SRE_LEAD])
    load_catalogue(io.StringIO())


def test_the_demo_declares_a_varied_year_once_and_quickly(demo_world):
    started = time.monotonic()
    load_incident_year(io.StringIO())
    elapsed = time.monotonic() - started
    incidents = Incident.objects.all()
    count = incidents.count()
    assert 100 <= count <= 130
    print(f"demo year: {count} incidents in {elapsed:.1f} s")
    assert elapsed < 30, elapsed
    now = timezone.now()
    assert incidents.filter(detected_at__lt=now - dt.timedelta(days=330)).exists()
    assert not incidents.filter(detected_at__gt=now).exists()
    severities = dict(incidents.values_list("severity").annotate(n=Count("pk")))
    assert set(severities) == {"P0", "P1", "P2", "P3"}
    assert incidents.filter(incident_type__is_partial_degradation=True).count() > 10
    assert incidents.active().count() == 2
    assert incidents.filter(status=Incident.Status.RESTORED).exists()
    assert incidents.filter(rpo_actual_minutes__isnull=False).exists()
    assert incidents.filter(involves_personal_data=True).exists()
    assert incidents.filter(started_at__isnull=True).exists()
    assert incidents.filter(services__isnull=False).distinct().count() > count // 2
    # Twelve months of figures, every month with incidents, most services below 100 %.
    result = metrics.dr_metrics(
        scope=metrics.Scope(
            period=metrics.trailing_months(timezone.localdate(), metrics.zoneinfo.ZoneInfo("UTC"))
        ),
        profile=organisation_profile(),
    )
    assert sum(1 for month in result.months if month.figures.incidents) >= 11
    assert sum(1 for a in result.availability if a.downtime_minutes) >= 5

    load_incident_year(io.StringIO())
    assert Incident.objects.count() == count
