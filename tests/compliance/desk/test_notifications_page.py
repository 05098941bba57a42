"""An incident's notifications page: its facts, obligations and submissions, the forms that
record them (input kept on error, double submits written once) and who sees which form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bcp_portal.catalogue.models import CompetentAuthority
from bcp_portal.core.submissions import FORM_TOKEN_FIELD
from compliance.models_notifications import IncidentFact, Obligation, Submission
from tests.compliance.desk import factories as f
from tests.conftest import make_persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo(db):
    return make_persona("dpo")


def page(incident) -> str:
    return f"/incidents/{incident.pk}/notifications/"


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_page_shows_each_fact_with_who_when_why_and_evidence(client_for, dpo):
    incident = f.incident()
    f.fact(incident, reason="The SOC paged the DPO.", evidence="SOC-991", by=dpo)
    html = client_for(dpo).get(page(incident)).content.decode()
    assert "Controller aware of the personal data breach" in html
    assert "The SOC paged the DPO." in html
    assert "SOC-991" in html
    assert dpo.get_full_name() in html
    assert "Europe/Paris" in html


def test_change_fills_the_form_with_the_fact_in_its_own_zone(client_for, dpo):
    incident = f.incident()
    at = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=5)
    fact = f.fact(incident, occurred_at=at, time_zone="Asia/Tokyo")
    form = client_for(dpo).get(f"{page(incident)}?fact={fact.pk}").context["fact_form"]
    assert form.initial["kind"] == "controller_awareness"
    assert form.initial["time_zone"] == "Asia/Tokyo"
    from zoneinfo import ZoneInfo

    assert form.initial["occurred_at"] == at.astimezone(ZoneInfo("Asia/Tokyo")).strftime(
        "%Y-%m-%dT%H:%M"
    )


def test_an_obligation_shows_its_deadline_rule_basis_alternative_relief_and_labels(client_for, dpo):
    incident = f.incident()
    o = f.obligation(
        incident,
        provisional=True,
        verified=False,
        alt_due_at=timezone.now() + timedelta(hours=41),
        alt_basis="Whole clock hours: the hour after",
        relief="Weekend relief: noon of the next working day",
    )
    html = client_for(dpo).get(page(incident)).content.decode()
    assert f'id="obligation-{o.pk}"' in html
    assert "Without undue delay and, where feasible, not later than 72 hours." in html
    assert "72 elapsed hours from controller awareness." in html
    assert "Whole clock hours: the hour after" in html
    assert "Weekend relief: noon of the next working day" in html
    assert 'data-testid="label-provisional"' in html
    assert 'data-testid="label-unverified"' in html
    assert 'data-testid="countdown"' in html and "left" in html


def test_not_applicable_and_waived_obligations_say_why(client_for, dpo):
    incident = f.incident()
    f.obligation(incident, status="not_applicable", reason="Below threshold: 4 h is not more.")
    f.obligation(incident, status="waived", status_reason="Counsel: no EU data subject.")
    html = client_for(dpo).get(page(incident)).content.decode()
    assert "Not applicable because" in html
    assert "Below threshold: 4 h is not more." in html
    assert "Waived because" in html
    assert "Counsel: no EU data subject." in html


def test_submissions_are_listed_under_their_obligation(client_for, dpo):
    incident = f.incident()
    o = f.obligation(incident, status="submitted")
    f.submission(o, reference_number="CNIL-2026-0042", late_reason="")
    html = client_for(dpo).get(page(incident)).content.decode()
    assert "CNIL-2026-0042" in html
    assert 'data-testid="submission-form"' not in html  # submitted: nothing left to record


def test_the_gdpr_authority_stage_is_prefilled_with_the_art33_draft_and_others_are_not(
    client_for, dpo
):
    from compliance.notification_drafts import gdpr_art33_draft

    incident = f.incident(title="Customer table exposed")
    gdpr = f.obligation(incident, stage_key="supervisory_authority")
    other = f.obligation(incident, regime_key="eu_nis2_art23", stage_name="Early warning")
    rows = client_for(dpo).get(page(incident)).context["rows"]
    forms = {r["clock"].obligation.pk: r["submission_form"] for r in rows}
    assert forms[gdpr.pk].initial["content"] == gdpr_art33_draft(incident=incident)
    assert forms[gdpr.pk].initial["content"]
    assert forms[other.pk].initial["content"] == ""


def test_the_late_reason_is_asked_only_when_past_due(client_for, dpo):
    incident = f.incident()
    due = f.obligation(incident, due_in=timedelta(hours=3))
    late = f.obligation(incident, due_in=timedelta(hours=-3))
    html = client_for(dpo).get(page(incident)).content.decode()
    assert f'name="s{late.pk}-late_reason"' in html
    assert f'name="s{due.pk}-late_reason"' not in html


def test_recording_a_submission_lists_it_and_a_double_submit_records_it_once(client_for, dpo):
    incident = f.incident()
    o = f.obligation(incident)
    authority = CompetentAuthority.objects.create(name="CNIL", jurisdiction="FR")
    client = client_for(dpo)
    form = next(
        r["submission_form"]
        for r in client.get(page(incident)).context["rows"]
        if r["clock"].obligation.pk == o.pk
    )
    token = form[FORM_TOKEN_FIELD].value()
    data = {
        f"s{o.pk}-submitted_at": local(timezone.now() - timedelta(minutes=5)),
        f"s{o.pk}-authority": authority.pk,
        f"s{o.pk}-reference_number": "CNIL-REF-7",
        f"s{o.pk}-content": "Nature of the breach.",
        f"s{o.pk}-{FORM_TOKEN_FIELD}": token,
    }
    url = f"{page(incident)}obligations/{o.pk}/submissions/"
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"].endswith(f"#obligation-{o.pk}")
    submission = Submission.objects.get(obligation=o)
    assert submission.recipient == "CNIL"
    assert submission.reference_number == "CNIL-REF-7"
    assert "CNIL-REF-7" in client.get(page(incident)).content.decode()


def test_a_refused_submission_keeps_what_was_typed(client_for, dpo):
    incident = f.incident()
    o = f.obligation(incident)
    response = client_for(dpo).post(
        f"{page(incident)}obligations/{o.pk}/submissions/",
        {f"s{o.pk}-reference_number": "KEEP-ME", f"s{o.pk}-content": "Typed text"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="KEEP-ME"' in html
    assert "Typed text" in html
    assert "Name the recipient, or choose an authority." in html
    assert not Submission.objects.exists()


def test_recording_a_fact_reads_its_time_in_the_zone_typed(client_for, dpo):
    incident = f.incident()
    response = client_for(dpo).post(
        f"{page(incident)}facts/",
        {
            "kind": "controller_awareness",
            "occurred_at": "2026-03-29T01:30",
            "time_zone": "Europe/Paris",
            "reason": "The processor's mail.",
            "evidence": "MAIL-1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    fact = IncidentFact.objects.get(incident=incident, kind="controller_awareness")
    assert fact.time_zone == "Europe/Paris"
    assert fact.occurred_at.isoformat() == "2026-03-29T00:30:00+00:00"


def test_a_fact_with_an_unknown_zone_is_a_form_error(client_for, dpo):
    incident = f.incident()
    response = client_for(dpo).post(
        f"{page(incident)}facts/",
        {
            "kind": "awareness",
            "occurred_at": "2026-03-29T01:30",
            "time_zone": "Mars/Olympus",
            "reason": "x",
        },
    )
    assert response.status_code == 400
    assert "Give an IANA zone" in response.content.decode()
    assert not IncidentFact.objects.exists()


def test_the_dpo_waives_and_adds_obligations_and_legal_counsel_does_neither(client_for, dpo):
    incident = f.incident()
    o = f.obligation(incident)
    legal = client_for(make_persona("legal"))
    html = legal.get(page(incident)).content.decode()
    assert 'data-testid="waive-form"' not in html
    assert 'data-testid="obligation-add-form"' not in html
    assert 'data-testid="submission-form"' in html
    assert 'data-testid="fact-form"' in html
    url = f"{page(incident)}obligations/{o.pk}/waive/"
    assert legal.post(url, {f"w{o.pk}-reason": "No."}).status_code == 403
    client = client_for(dpo)
    assert 'data-testid="waive-form"' in client.get(page(incident)).content.decode()
    assert client.post(url, {f"w{o.pk}-reason": "Counsel's opinion."}).status_code == 302
    o.refresh_from_db()
    assert o.status == Obligation.Status.WAIVED


def test_the_auditor_reads_the_page_without_any_form(client_for):
    incident = f.incident()
    f.obligation(incident)
    auditor = client_for(make_persona("auditor"))
    response = auditor.get(page(incident))
    assert response.status_code == 200
    html = response.content.decode()
    for form in ("submission-form", "fact-form", "waive-form", "obligation-add-form"):
        assert f'data-testid="{form}"' not in html
    assert auditor.post(f"{page(incident)}facts/", {}).status_code == 403


def test_an_obligation_of_another_incident_is_not_found(client_for, dpo):
    incident, other = f.incident(), f.incident()
    o = f.obligation(other)
    url = f"{page(incident)}obligations/{o.pk}/waive/"
    assert client_for(dpo).post(url, {f"w{o.pk}-reason": "x"}).status_code == 404


def test_the_incident_and_its_notifications_are_tabs_of_each_other(client_for, dpo):
    incident = f.incident()
    client = client_for(dpo)
    for url in (f"/incidents/{incident.pk}/", page(incident)):
        html = client.get(url).content.decode()
        assert 'data-testid="incident-tabs"' in html
        assert f'href="{page(incident)}"' in html
    sre = client_for(make_persona("sre"))
    assert (
        'data-testid="incident-tabs"' not in sre.get(f"/incidents/{incident.pk}/").content.decode()
    )


def test_an_attachment_downloads_and_never_shows_inline(client_for, dpo):
    incident = f.incident()
    s = f.submission(
        f.obligation(incident),
        attachment=b"%PDF-1.4 x",
        attachment_name="notice.pdf",
        attachment_type="application/pdf",
    )
    response = client_for(dpo).get(f"{page(incident)}submissions/{s.pk}/attachment")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="notice.pdf"'
    assert response.content == b"%PDF-1.4 x"


@pytest.mark.parametrize("count", [2, 12])
def test_the_page_query_count_does_not_grow_with_rows(
    client_for, dpo, count, django_assert_num_queries
):
    incident = f.incident()
    CompetentAuthority.objects.create(name="CNIL", jurisdiction="FR")
    f.obligation(incident, stage_key="supervisory_authority")  # its draft is read once
    for n in range(count):
        o = f.obligation(incident, regime_key="eu_nis2_art23" if n % 2 else "eu_gdpr_art33_art34")
        f.submission(o)
        f.fact(incident, kind="persons_affected", region=REGIONS[n], count=n + 1)
    client = client_for(dpo)
    client.get(page(incident))
    # session, user, 2FA device, profile, permissions, incident, facts, obligations,
    # submissions, authorities, and the Art. 33(3) draft's six reads (the incident, its facts,
    # the DPO users, contacts, the organisation's zone, the timeline)
    with django_assert_num_queries(COUNT_PAGE):
        assert client.get(page(incident)).status_code == 200


COUNT_PAGE = 16
REGIONS = ("FR", "DE", "IT", "ES", "NL", "BE", "US-CA", "US-TX", "US-NY", "US-FL", "GB", "IE")


def _post_fact(client, incident, occurred_at: str, zone: str, **extra):
    return client.post(
        f"{page(incident)}facts/",
        {
            "kind": "controller_awareness",
            "occurred_at": occurred_at,
            "time_zone": zone,
            "reason": "The processor's mail.",
            **extra,
        },
    )


def test_a_fact_time_the_facts_zone_skips_is_a_form_error(client_for, dpo):
    incident = f.incident()
    response = _post_fact(client_for(dpo), incident, "2026-03-08T02:30", "America/New_York")
    assert response.status_code == 400
    html = response.content.decode()
    assert "2026-03-08 02:30 does not exist in America/New_York" in html
    assert not IncidentFact.objects.filter(incident=incident).exists()


def test_a_fact_time_the_facts_zone_shows_twice_is_refused_until_the_person_picks_one(
    client_for, dpo
):
    incident = f.incident()
    client = client_for(dpo)
    response = _post_fact(client, incident, "2026-11-01T01:30", "America/New_York")
    assert response.status_code == 400
    assert "2026-11-01 01:30 happens twice in America/New_York" in response.content.decode()
    assert not IncidentFact.objects.filter(incident=incident).exists()
    picked = _post_fact(client, incident, "2026-11-01T01:30", "America/New_York", which="second")
    assert picked.status_code == 302
    fact = IncidentFact.objects.get(incident=incident, kind="controller_awareness")
    assert fact.occurred_at.isoformat() == "2026-11-01T06:30:00+00:00"  # 01:30 EST


def test_a_fact_time_is_read_in_the_facts_zone_whatever_the_readers_zone(client_for, dpo):
    dpo.profile.time_zone = "Europe/Berlin"  # 2026-03-29 02:30 does not exist in Berlin
    dpo.profile.save()
    incident = f.incident()
    response = _post_fact(client_for(dpo), incident, "2026-03-29T02:30", "America/New_York")
    assert response.status_code == 302, response.content.decode()[:2000]
    fact = IncidentFact.objects.get(incident=incident, kind="controller_awareness")
    assert fact.occurred_at.isoformat() == "2026-03-29T06:30:00+00:00"  # 02:30 EDT


def _post_submission(client, incident, o, submitted_at: str, **extra):
    data = {
        f"s{o.pk}-submitted_at": submitted_at,
        f"s{o.pk}-recipient": "CNIL",
        **{f"s{o.pk}-{name}": value for name, value in extra.items()},
    }
    return client.post(f"{page(incident)}obligations/{o.pk}/submissions/", data)


def test_a_submission_time_the_readers_zone_skips_or_shows_twice_is_a_form_error(client_for, dpo):
    dpo.profile.time_zone = "Europe/Berlin"
    dpo.profile.save()
    incident = f.incident(detected_at=timezone.now().replace(year=2026, month=3, day=1))
    o = f.obligation(incident)
    client = client_for(dpo)
    skipped = _post_submission(client, incident, o, "2026-03-29T02:30")
    assert skipped.status_code == 400
    assert "2026-03-29 02:30 does not exist in Europe/Berlin" in skipped.content.decode()
    twice = _post_submission(client, incident, o, "2026-10-25T02:30")
    assert twice.status_code == 400
    assert "2026-10-25 02:30 happens twice in Europe/Berlin" in twice.content.decode()
    assert not Submission.objects.exists()
    picked = _post_submission(client, incident, o, "2026-10-25T02:30", which="first")
    assert picked.status_code == 302, picked.content.decode()[:2000]
    assert Submission.objects.get().submitted_at.isoformat() == "2026-10-25T00:30:00+00:00"


def test_a_submission_dated_before_the_incidents_detection_is_a_form_error(client_for, dpo):
    incident = f.incident()
    o = f.obligation(incident)
    before = local(incident.detected_at - timedelta(hours=2))
    response = _post_submission(client_for(dpo), incident, o, before)
    assert response.status_code == 400
    assert "before the incident was detected" in response.content.decode()
    assert not Submission.objects.exists()
