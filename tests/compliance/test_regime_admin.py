"""Regimes in the admin: enabled or disabled for any regime, an internal rule's parameters
edited, a statutory regime's legal facts read-only; every write through `regime_update`,
with its permission and history."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bcp_portal.core import roles
from compliance.models_notifications import NotificationRegime
from compliance.regime_services import regime_update
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="regime-root", is_staff=True, is_superuser=True)


def regime(key: str) -> NotificationRegime:
    return NotificationRegime.objects.get(key=key)


def change_url(row: NotificationRegime) -> str:
    return reverse("admin:compliance_notificationregime_change", args=[row.pk])


def test_a_superuser_disables_a_statutory_regime_with_history(client_for, superuser):
    gdpr = regime("eu_gdpr_art33_art34")
    versions = gdpr.history.count()
    response = client_for(superuser).post(change_url(gdpr), {})  # "enabled" unticked
    assert response.status_code == 302
    gdpr.refresh_from_db()
    assert gdpr.enabled is False
    assert gdpr.history.count() == versions + 1
    latest = gdpr.history.latest()
    assert (latest.history_user, latest.history_source) == (superuser, "admin")


def test_a_statutory_regime_shows_its_stages_but_offers_only_enabled(client_for, superuser):
    html = client_for(superuser).get(change_url(regime("eu_gdpr_art33_art34"))).content.decode()
    assert 'name="enabled"' in html
    assert 'name="deadline_hours"' not in html
    assert "Notification to supervisory authority" in html
    assert "elapsed_hours 72" in html


def test_an_internal_rule_s_parameters_are_edited_in_the_admin(client_for, superuser):
    seed = regime("seed_service_outage_extended")
    html = client_for(superuser).get(change_url(seed)).content.decode()
    assert 'name="min_outage_minutes"' in html
    response = client_for(superuser).post(
        change_url(seed),
        {"enabled": "on", "min_outage_minutes": "180", "severity_threshold": "P1"},
    )
    assert response.status_code == 302
    seed.refresh_from_db()
    assert (seed.min_outage_minutes, seed.severity_threshold) == (180, "P1")


def test_an_unknown_incident_type_is_a_form_error_with_the_input_kept(client_for, superuser):
    seed = regime("seed_personal_data_breach")
    response = client_for(superuser).post(
        change_url(seed), {"enabled": "on", "incident_type_key": "no-such-type"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "No incident type has this key." in html
    assert 'value="no-such-type"' in html
    seed.refresh_from_db()
    assert seed.incident_type_key == ""


def test_the_service_refuses_a_statutory_regime_s_legal_parameters(superuser):
    with pytest.raises(ValidationError) as refused:
        regime_update(actor=superuser, regime=regime("us_circia"), deadline_hours=12)
    assert "deadline_hours" in refused.value.message_dict


def test_the_service_refuses_someone_without_the_permission(db):
    # Legal Counsel reads the regimes; only the DPO (and a superuser) changes them.
    legal = UserFactory(roles=[roles.LEGAL_COUNSEL])
    with pytest.raises(PermissionDenied):
        regime_update(actor=legal, regime=regime("us_circia"), enabled=False)
    assert regime("us_circia").enabled is True


def test_saving_without_a_change_writes_no_history_row(superuser):
    circia = regime("us_circia")
    versions = circia.history.count()
    regime_update(actor=superuser, regime=circia, enabled=True)
    assert circia.history.count() == versions


def test_regimes_are_neither_added_nor_deleted_in_the_admin(client_for, superuser):
    client = client_for(superuser)
    assert client.get(reverse("admin:compliance_notificationregime_add")).status_code == 403
    row = regime("us_circia")
    url = reverse("admin:compliance_notificationregime_delete", args=[row.pk])
    assert client.get(url).status_code == 403
