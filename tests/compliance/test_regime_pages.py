"""The regimes pages: every regime listed with its labels and filters, a regime's stages
from the data file, and the DPO's form (switch on or off, an internal rule's parameters,
a reason kept in history; refused input kept with a 400; a double submit changes once).
Switching a regime off re-evaluates open incidents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bcp_portal.catalogue.models import LegalEntity
from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core.submissions import ALREADY_SAVED, FORM_TOKEN_FIELD
from compliance import notifications
from compliance.deadlines import types
from compliance.models_notifications import IncidentFact, NotificationRegime, Obligation
from tests.compliance.notifications.helpers import incident
from tests.conftest import PERSONAS, make_persona

pytestmark = pytest.mark.django_db

LIST = "/compliance/regimes/"
GDPR = "eu_gdpr_art33_art34"
OUTAGE = "seed_service_outage_extended"
PAYMENT = "seed_payment_data_breach"
READERS = {"dpo", "legal", "auditor"}


def detail(key: str) -> str:
    return f"{LIST}{key}/"


def change(key: str) -> str:
    return f"{LIST}{key}/change/"


def regime(key: str) -> NotificationRegime:
    return NotificationRegime.objects.get(key=key)


@pytest.fixture
def dpo(db):
    return make_persona("dpo")


def form_data(client, key: str, **values) -> dict:
    """The form as the page renders it (its one-time token, its current values), changed."""
    form = client.get(detail(key)).context["form"]
    data = {FORM_TOKEN_FIELD: form[FORM_TOKEN_FIELD].value()}
    for name, field in form.fields.items():
        if name == FORM_TOKEN_FIELD:
            continue
        value = form[name].value()
        if name == "enabled":
            if value:
                data[name] = "on"
        elif value not in (None, ""):
            data[name] = value
    for name, value in values.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


# Who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_dpo_changes_legal_counsel_and_the_auditor_read_and_others_are_refused(
    client_for, persona
):
    user = make_persona(persona)
    client = client_for(user)
    listing = client.get(LIST)
    page = client.get(detail(GDPR))
    posted = client.post(change(GDPR), {"reason": "Not our law.", "submission_token": ""})
    if persona in READERS:
        assert listing.status_code == page.status_code == 200
        html = page.content.decode()
        if persona == "dpo":
            assert 'data-testid="regime-change-form"' in html
            assert posted.status_code == 302
            assert regime(GDPR).enabled is False
        else:
            assert 'data-testid="regime-change-form"' not in html
            assert 'name="reason"' not in html
            assert posted.status_code == 403
            assert regime(GDPR).enabled is True
    else:
        assert listing.status_code == page.status_code == posted.status_code == 403
        assert regime(GDPR).enabled is True


def test_anonymous_readers_are_sent_to_sign_in(client):
    for response in (client.get(LIST), client.get(detail(GDPR)), client.post(change(GDPR), {})):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert regime(GDPR).enabled is True


def test_the_desk_links_to_the_regimes_once(client_for, dpo):
    html = client_for(dpo).get("/compliance/desk/").content.decode()
    assert html.count('data-testid="desk-regimes-link"') == 1
    assert f'href="{LIST}"' in html


def test_an_unknown_key_is_not_found(client_for, dpo):
    client = client_for(dpo)
    assert client.get(detail("no_such_regime")).status_code == 404
    assert client.post(change("no_such_regime"), {"reason": "x"}).status_code == 404


# The list ----------------------------------------------------------------------------------


def test_the_list_shows_every_regime_with_its_labels(client_for, dpo):
    response = client_for(dpo).get(LIST)
    assert response.status_code == 200
    rows = {row.regime.key: row for row in response.context["rows"]}
    assert set(rows) == set(NotificationRegime.objects.values_list("key", flat=True))
    assert rows[GDPR].stage_count == 3 and rows[GDPR].verified is True
    assert rows["eidas_trust_services"].verified is False
    html = response.content.decode()
    assert f'href="{detail(GDPR)}"' in html
    assert 'data-testid="label-unverified"' in html
    assert "Internal rule" in html and "Statutory" in html
    # Statutory regimes first, by name.
    keys = list(rows)
    assert keys.index(GDPR) < keys.index(PAYMENT)


@pytest.mark.parametrize(
    ("query", "wanted", "unwanted"),
    [
        ("internal=1", {PAYMENT, OUTAGE}, {GDPR}),
        ("internal=0", {GDPR}, {PAYMENT}),
        ("enabled=0", {"us_circia"}, {GDPR}),
        ("enabled=1", {GDPR}, {"us_circia"}),
        ("q=gdpr", {GDPR, "uk_gdpr_ico"}, {PAYMENT}),
        ("q=Internal+(seed", {PAYMENT}, {GDPR}),
    ],
)
def test_the_list_filters(client_for, dpo, query, wanted, unwanted):
    circia = regime("us_circia")
    circia.enabled = False
    circia.save()
    response = client_for(dpo).get(f"{LIST}?{query}")
    assert response.status_code == 200
    shown = {row.regime.key for row in response.context["rows"]}
    assert wanted <= shown
    assert not unwanted & shown


@pytest.mark.parametrize(
    "query",
    ["enabled=maybe", "internal=2", f"q={'x' * 201}", "enabled=1&enabled=0", "page=abc"],
)
def test_a_junk_filter_is_a_400_naming_it(client_for, dpo, query):
    response = client_for(dpo).get(f"{LIST}?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert f'id="{name}-error"' in response.content.decode()


def test_filters_matching_nothing_say_so(client_for, dpo):
    html = client_for(dpo).get(f"{LIST}?q=nothing-like-this").content.decode()
    assert 'data-testid="regimes-empty"' in html
    assert "No regime matches these filters" in html


@pytest.mark.parametrize("query", ["", "?internal=0&enabled=1&q=a"])
def test_the_list_query_count_is_pinned(client_for, dpo, query, django_assert_num_queries):
    client = client_for(dpo)
    client.get(LIST + query)
    # session, user, 2FA device, profile, permissions, count, rows
    with django_assert_num_queries(7):
        assert client.get(LIST + query).status_code == 200


# A regime's page ---------------------------------------------------------------------------


def test_a_statutory_regime_shows_its_stages_conditions_sources_and_notes(client_for, dpo):
    response = client_for(dpo).get(detail(GDPR))
    html = response.content.decode()
    assert "Notification to supervisory authority" in html
    assert "Competent supervisory authority" in html  # who is notified
    assert "Elapsed hours" in html and "72 hours" in html
    assert "Controller aware of the personal data breach" in html  # the anchor
    assert "Without undue delay and, where feasible, not later than 72 hours" in html
    assert "Alternative reading: From the next full hour" in html
    assert 'data-testid="regime-conditions"' in html and "Art. 33(5)" in html
    assert 'href="https://eur-lex.europa.eu/eli/reg/2016/679/oj"' in html
    assert "72h counted as elapsed hours from awareness" in html  # the notes
    assert "re-evaluates every open incident" in html
    assert "become “not applicable”" in html
    # Only "enabled" and the reason: a statutory regime's rules are legal facts.
    form = response.context["form"]
    assert set(form.fields) == {"enabled", "reason", FORM_TOKEN_FIELD}


def test_an_unverified_stage_is_labelled(client_for, dpo):
    html = client_for(dpo).get(detail("eidas_trust_services")).content.decode()
    assert 'data-testid="label-unverified"' in html


def test_a_stage_from_a_previous_submission_names_that_stage(client_for, dpo):
    html = client_for(dpo).get(detail("eu_dora_major_ict_incident")).content.decode()
    assert "The submission of “Initial notification”" in html
    assert (
        "The latest of: the submission of “Intermediate report”; the submission of "
        "“Updated intermediate report”" in html
    )
    assert "No later than 24 hours from awareness of the incident" in html


def test_an_internal_rule_shows_its_parameters_and_the_file_s_values_as_help(client_for, dpo):
    response = client_for(dpo).get(detail(OUTAGE))
    html = response.content.decode()
    assert 'data-testid="regime-parameters"' in html
    assert "24 hours (the rule&#x27;s deadline hours)" in html
    form = response.context["form"]
    assert "Blank: the data file's value (240)." in form.fields["min_outage_minutes"].help_text
    assert "Blank: the data file's value (1000)." in form.fields["min_affected_users"].help_text
    assert "(none)" in dict(form.fields["severity_threshold"].choices)[""]


@pytest.mark.parametrize("key", [GDPR, OUTAGE])
def test_the_page_query_count_is_pinned(client_for, dpo, key, django_assert_num_queries):
    client = client_for(dpo)
    regime_row = regime(key)
    for n in range(3):  # a few changes in the history panel
        regime_row.enabled = not regime_row.enabled
        regime_row._change_reason = f"Change {n}"
        regime_row.save()
    client.get(detail(key))
    # session, user, 2FA device, profile, permissions, the regime, its history (with
    # users); an internal rule's form also reads the incident types
    with django_assert_num_queries(8 if key == OUTAGE else 7):
        assert client.get(detail(key)).status_code == 200


# The DPO's form ----------------------------------------------------------------------------


def test_switching_off_writes_one_history_row_with_the_reason(client_for, dpo):
    client = client_for(dpo)
    gdpr = regime(GDPR)
    versions = gdpr.history.count()
    data = form_data(client, GDPR, enabled=None, reason="The DPA said it is not ours.")
    response = client.post(change(GDPR), data)
    assert response.status_code == 302
    assert response["Location"] == detail(GDPR)
    gdpr.refresh_from_db()
    assert gdpr.enabled is False
    assert gdpr.history.count() == versions + 1
    latest = gdpr.history.latest()
    assert latest.history_user == dpo
    assert latest.history_change_reason == "The DPA said it is not ours."
    assert latest.history_source == "web"
    page = client.get(detail(GDPR)).content.decode()
    assert "switched off; open incidents are evaluated again" in page
    assert "Reason: The DPA said it is not ours." in page


def test_switching_off_makes_the_regime_s_open_obligations_not_applicable(
    client_for, dpo, django_capture_on_commit_callbacks
):
    LegalEntity.objects.create(
        profile=organisation_profile(),
        name="Acme SAS",
        jurisdictions=["FR"],
        statuses=["gdpr_controller"],
        holiday_calendars=["FR"],
        time_zone="Europe/Paris",
    )
    inc = incident(involves_personal_data=True, detected_at=timezone.now() - dt.timedelta(hours=2))
    notifications.fact_record(
        actor=dpo, incident=inc, kind=IncidentFact.GDPR_RISK, value=types.RISK, reason="Assessed."
    )
    clock = Obligation.objects.get(incident=inc, regime_key=GDPR, stage_key="supervisory_authority")
    assert clock.status == Obligation.Status.OPEN
    client = client_for(dpo)
    data = form_data(client, GDPR, enabled=None, reason="Switched off for the test.")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change(GDPR), data).status_code == 302
    clock.refresh_from_db()
    assert clock.status == Obligation.Status.NOT_APPLICABLE
    assert "the regime is disabled" in clock.status_reason

    # Switched on again: the obligation applies again and opens.
    data = form_data(client, GDPR, enabled="on", reason="It is ours after all.")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(change(GDPR), data).status_code == 302
    clock.refresh_from_db()
    assert clock.status == Obligation.Status.OPEN


def test_an_internal_rule_s_parameters_are_saved_and_blank_restores_the_file_s_value(
    client_for, dpo
):
    client = client_for(dpo)
    data = form_data(
        client,
        OUTAGE,
        deadline_hours="12",
        severity_threshold="P1",
        min_outage_minutes="180",
        incident_type_key="database-outage",
        reason="The board asked for a tighter rule.",
    )
    assert client.post(change(OUTAGE), data).status_code == 302
    row = regime(OUTAGE)
    assert (row.deadline_hours, row.severity_threshold, row.min_outage_minutes) == (12, "P1", 180)
    assert row.incident_type_key == "database-outage"
    assert row.enabled is True
    period = "hours (the rule&#x27;s deadline hours)"
    assert f"12 {period}" in client.get(detail(OUTAGE)).content.decode()

    data = form_data(client, OUTAGE, deadline_hours=None, reason="Back to the runbook's 24 h.")
    assert client.post(change(OUTAGE), data).status_code == 302
    row.refresh_from_db()
    assert row.deadline_hours is None
    assert row.min_outage_minutes == 180  # untouched
    assert f"24 {period}" in client.get(detail(OUTAGE)).content.decode()


def test_bad_parameters_are_field_errors_with_the_input_kept(client_for, dpo):
    client = client_for(dpo)
    versions = regime(OUTAGE).history.count()
    data = form_data(
        client,
        OUTAGE,
        deadline_hours="-5",
        severity_threshold="P9",
        min_affected_users="many",
        reason="Typed in a hurry.",
    )
    response = client.post(change(OUTAGE), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"deadline_hours", "severity_threshold", "min_affected_users"}
    html = response.content.decode()
    assert 'value="-5"' in html
    assert 'value="many"' in html
    assert "Typed in a hurry." in html
    assert "greater than or equal to 1" in html
    row = regime(OUTAGE)
    assert row.deadline_hours is None and row.severity_threshold == ""
    assert row.history.count() == versions


def test_the_reason_is_required(client_for, dpo):
    client = client_for(dpo)
    response = client.post(change(GDPR), form_data(client, GDPR, enabled=None, reason=None))
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert regime(GDPR).enabled is True


def test_sending_the_form_unchanged_is_an_error_and_writes_nothing(client_for, dpo):
    client = client_for(dpo)
    versions = regime(GDPR).history.count()
    response = client.post(change(GDPR), form_data(client, GDPR, reason="Just looking."))
    assert response.status_code == 400
    assert "Nothing to change" in response.content.decode()
    assert regime(GDPR).history.count() == versions


def test_a_statutory_regime_s_period_cannot_be_posted(client_for, dpo):
    client = client_for(dpo)
    data = form_data(client, GDPR, enabled=None, deadline_hours="1", reason="Trying it on.")
    assert client.post(change(GDPR), data).status_code == 302
    gdpr = regime(GDPR)
    assert gdpr.enabled is False and gdpr.deadline_hours is None


def test_a_double_submit_changes_once(client_for, dpo):
    client = client_for(dpo)
    versions = regime(GDPR).history.count()
    data = form_data(client, GDPR, enabled=None, reason="Double click.")
    first = client.post(change(GDPR), data)
    second = client.post(change(GDPR), data, follow=True)
    assert first.status_code == 302
    assert second.status_code == 200
    assert ALREADY_SAVED in second.content.decode()
    assert regime(GDPR).enabled is False
    assert regime(GDPR).history.count() == versions + 1


def test_a_row_the_data_file_no_longer_has_still_opens_and_says_so(client_for, dpo):
    NotificationRegime.objects.create(key="retired_rule", name="Retired rule", data_version=1)
    client = client_for(dpo)
    listing = client.get(f"{LIST}?q=retired")
    assert [row.stage_count for row in listing.context["rows"]] == [0]
    response = client.get(detail("retired_rule"))
    assert response.status_code == 200
    assert 'data-testid="regime-not-in-file"' in response.content.decode()
