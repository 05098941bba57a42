"""The clocks' API: facts, obligations with their filters, submissions with a file."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from bcp_portal.core import limits, roles
from compliance import notifications
from compliance.models_notifications import IncidentFact, Obligation, Submission
from tests.compliance.notifications.helpers import DETECTED, incident, person, result

pytestmark = pytest.mark.django_db

JSON = "application/json"
NOW = DETECTED + dt.timedelta(hours=10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def dpo():
    return person(roles.DPO)


def test_the_dpo_records_a_fact_and_changes_it_through_the_api(client_for, dpo, engine):
    inc = incident()
    client = client_for(dpo)
    url = f"/api/v1/incidents/{inc.pk}/facts"
    body = {
        "kind": "controller_awareness",
        "occurred_at": "2026-03-02T11:00:00+01:00",
        "time_zone": "Europe/Paris",
        "reason": "Told by the commander.",
    }
    created = client.post(url, body, content_type=JSON)
    assert created.status_code == 201, created.json()
    fact = created.json()
    assert fact["recorded_by"] == dpo.pk and fact["time_zone"] == "Europe/Paris"
    changed = client.patch(
        f"{url}/{fact['id']}",
        {"occurred_at": "2026-03-02T12:00:00+01:00", "reason": "Corrected."},
        content_type=JSON,
    )
    assert changed.status_code == 200, changed.json()
    assert IncidentFact.objects.get().occurred_at == dt.datetime(2026, 3, 2, 11, tzinfo=dt.UTC)
    listed = client.get(url).json()["results"]
    assert [f["reason"] for f in listed] == ["Corrected."]


def test_a_fact_missing_its_time_is_a_400_naming_the_field(client_for, dpo, engine):
    inc = incident()
    answer = client_for(dpo).post(
        f"/api/v1/incidents/{inc.pk}/facts",
        {"kind": "awareness", "reason": "Told."},
        content_type=JSON,
    )
    assert answer.status_code == 400
    assert "occurred_at" in answer.json()["error"]["fields"]


def test_a_fact_of_an_unknown_kind_or_region_is_a_400_naming_the_field(client_for, dpo, engine):
    inc = incident()
    answer = client_for(dpo).post(
        f"/api/v1/incidents/{inc.pk}/facts",
        {"kind": "persons_affected", "region": "france", "count": 3, "reason": "x"},
        content_type=JSON,
    )
    assert answer.status_code == 400 and "region" in answer.json()["error"]["fields"]


def test_the_facts_of_an_unknown_incident_are_a_404(client_for, dpo):
    assert client_for(dpo).get("/api/v1/incidents/999999/facts").status_code == 404


def clocks(engine, n: int) -> None:
    for i in range(n):
        inc = incident(title=f"Incident {i}")
        engine.set(
            result(due_at=NOW - dt.timedelta(hours=1)),  # overdue
            result(stage="subjects", stage_name="Data subjects", provisional=True),
        )
        notifications.obligations_evaluate(incident=inc)


def test_the_obligations_list_filters_overdue_provisional_and_regime(client_for, dpo, engine):
    clocks(engine, 2)
    client = client_for(dpo)
    overdue = client.get("/api/v1/obligations?overdue=1").json()["results"]
    assert {o["stage_key"] for o in overdue} == {"sa"} and all(o["overdue"] for o in overdue)
    provisional = client.get("/api/v1/obligations?provisional=1").json()["results"]
    assert {o["stage_key"] for o in provisional} == {"subjects"}
    assert len(client.get("/api/v1/obligations?regime=manual").json()["results"]) == 0
    bad = client.get("/api/v1/obligations?regime=nope")
    assert bad.status_code == 400 and "regime" in bad.json()["error"]["fields"]
    bad = client.get("/api/v1/obligations?due_from=2026-03-10&due_to=2026-03-01")
    assert bad.status_code == 400 and "due_to" in bad.json()["error"]["fields"]


def test_the_obligations_due_window_is_read_in_the_organisations_days(client_for, dpo, engine):
    clocks(engine, 1)
    client = client_for(dpo)
    # 2026-03-02 09:00 UTC + 72 h = 2026-03-05 09:00 UTC (the "subjects" stage).
    rows = client.get("/api/v1/obligations?due_from=2026-03-05&due_to=2026-03-05").json()
    assert [o["stage_key"] for o in rows["results"]] == ["subjects"]


@pytest.mark.parametrize("rows", [2, 30])
def test_the_obligations_list_query_count_does_not_grow_with_rows(
    client_for, dpo, engine, rows, django_assert_num_queries
):
    clocks(engine, rows // 2)
    client = client_for(dpo)
    client.get("/api/v1/obligations")
    # session, user, 2FA device, profile, permissions, rows with their incidents
    with django_assert_num_queries(6):
        assert client.get("/api/v1/obligations").status_code == 200


def test_the_dpo_adds_and_waives_an_obligation_through_the_api(client_for, dpo, engine):
    inc = incident()
    client = client_for(dpo)
    added = client.post(
        "/api/v1/obligations",
        {
            "incident": inc.pk,
            "regime_name": "Contract",
            "stage_name": "Notice",
            "due_at": "2026-03-04T12:00:00Z",
            "reason": "Clause 3.",
        },
        content_type=JSON,
    )
    assert added.status_code == 201, added.json()
    assert added.json()["manual"] is True and added.json()["regime_key"] == "manual"
    pk = added.json()["id"]
    refused = client.post(f"/api/v1/obligations/{pk}/waive", {}, content_type=JSON)
    assert refused.status_code == 400 and "reason" in refused.json()["error"]["fields"]
    waived = client.post(
        f"/api/v1/obligations/{pk}/waive", {"reason": "Bank waived it."}, content_type=JSON
    )
    assert waived.status_code == 200 and waived.json()["status"] == "waived"
    again = client.post(f"/api/v1/obligations/{pk}/waive", {"reason": "x"}, content_type=JSON)
    assert again.status_code == 400 and "obligation" in again.json()["error"]["fields"]


def test_an_added_obligation_keeps_its_names_on_one_line_and_its_due_time_in_the_years(
    client_for, dpo, engine
):
    inc = incident()
    body = {"incident": inc.pk, "regime_name": "Contract", "stage_name": "Notice", "reason": "x"}
    client = client_for(dpo)
    broken = client.post(
        "/api/v1/obligations", {**body, "stage_name": "Notice\nto the bank"}, content_type=JSON
    )
    assert broken.status_code == 400 and "stage_name" in broken.json()["error"]["fields"]
    ancient = client.post(
        "/api/v1/obligations", {**body, "due_at": "0999-01-01T00:00:00Z"}, content_type=JSON
    )
    assert ancient.status_code == 400 and "due_at" in ancient.json()["error"]["fields"]
    assert not Obligation.objects.filter(manual=True).exists()


def test_a_submission_with_its_file_through_multipart_and_the_file_back(client_for, engine):
    legal = person(roles.LEGAL_COUNSEL)
    inc = incident()
    engine.set(result())
    notifications.obligations_evaluate(incident=inc)
    ob = Obligation.objects.get()
    client = client_for(legal)
    answer = client.post(
        "/api/v1/submissions",
        {
            "obligation": ob.pk,
            "submitted_at": "2026-03-02T15:00:00Z",
            "recipient": "CNIL",
            "reference_number": "CNIL-42",
            "attachment": SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt"),
        },
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["has_attachment"] and body["attachment_type"] == "application/pdf"
    assert body["submitted_by"] == legal.pk and body["incident"] == inc.pk
    file = client.get(f"/api/v1/submissions/{body['id']}/attachment")
    assert file.status_code == 200 and file.content == b"%PDF-1.4 receipt"
    assert 'filename="receipt.pdf"' in file["Content-Disposition"]
    listed = client.get(f"/api/v1/submissions?incident={inc.pk}").json()["results"]
    assert [s["reference_number"] for s in listed] == ["CNIL-42"]


def test_a_late_submission_without_its_reason_is_a_400_naming_late_reason(client_for, dpo, engine):
    inc = incident()
    engine.set(result(due_at=NOW - dt.timedelta(hours=1)))
    notifications.obligations_evaluate(incident=inc)
    answer = client_for(dpo).post(
        "/api/v1/submissions",
        {
            "obligation": Obligation.objects.get().pk,
            "submitted_at": NOW.isoformat(),
            "recipient": "CNIL",
        },
        content_type=JSON,
    )
    assert answer.status_code == 400 and "late_reason" in answer.json()["error"]["fields"]
    assert not Submission.objects.exists()


def test_a_file_over_the_limit_is_a_400_naming_the_attachment(client_for, dpo, engine):
    inc = incident()
    engine.set(result())
    notifications.obligations_evaluate(incident=inc)
    answer = client_for(dpo).post(
        "/api/v1/submissions",
        {
            "obligation": Obligation.objects.get().pk,
            "submitted_at": "2026-03-02T15:00:00Z",
            "recipient": "CNIL",
            "attachment": SimpleUploadedFile(
                "big.pdf", b"x" * (limits.SUBMISSION_ATTACHMENT_MAX_BYTES + 1)
            ),
        },
    )
    assert answer.status_code in (400, 413)
    if answer.status_code == 400:
        assert "attachment" in answer.json()["error"]["fields"]


def test_a_submission_without_a_file_has_no_file_to_download(client_for, dpo, engine):
    inc = incident()
    engine.set(result())
    notifications.obligations_evaluate(incident=inc)
    sub = notifications.submission_record(
        actor=dpo,
        obligation=Obligation.objects.get(),
        submitted_at=NOW,
        recipient="CNIL",
    )
    answer = client_for(dpo).get(f"/api/v1/submissions/{sub.pk}/attachment")
    assert answer.status_code == 404


def _post_fact(client, inc, **body):
    return client.post(
        f"/api/v1/incidents/{inc.pk}/facts", {"reason": "Told.", **body}, content_type=JSON
    )


def test_a_fact_time_without_offset_is_read_in_the_facts_own_zone(client_for, dpo, engine):
    inc = incident()
    answer = _post_fact(
        client_for(dpo),
        inc,
        kind="controller_awareness",
        occurred_at="2026-03-02T10:00:00",
        time_zone="America/New_York",
    )
    assert answer.status_code == 201, answer.json()
    fact = IncidentFact.objects.get()
    assert fact.occurred_at == dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC)  # 10:00 EST
    assert fact.time_zone == "America/New_York"


@pytest.mark.parametrize(
    ("wall", "said"),
    [("2026-03-08T02:30:00", "does not exist"), ("2026-11-01T01:30:00", "happens twice")],
)
def test_a_fact_time_its_zone_skips_or_shows_twice_is_a_400_naming_occurred_at(
    client_for, dpo, engine, wall, said
):
    inc = incident()
    with time_machine.travel(dt.datetime(2026, 11, 20, tzinfo=dt.UTC), tick=False):
        answer = _post_fact(
            client_for(dpo),
            inc,
            kind="controller_awareness",
            occurred_at=wall,
            time_zone="America/New_York",
        )
    assert answer.status_code == 400
    errors = answer.json()["error"]["fields"]
    assert said in " ".join(errors["occurred_at"]) and "offset" in " ".join(errors["occurred_at"])
    assert not IncidentFact.objects.exists()


def test_a_fact_with_a_field_it_does_not_have_is_a_400_naming_it(client_for, dpo, engine):
    inc = incident()
    answer = _post_fact(client_for(dpo), inc, kind="gdpr_risk", value="risk", bogus=1, other="x")
    assert answer.status_code == 400
    assert {"bogus", "other"} <= set(answer.json()["error"]["fields"])
    assert not IncidentFact.objects.exists()


def test_a_gdpr_risk_with_a_time_is_a_400_naming_occurred_at(client_for, dpo, engine):
    inc = incident()
    answer = _post_fact(
        client_for(dpo), inc, kind="gdpr_risk", value="risk", occurred_at="2026-03-02T10:00:00Z"
    )
    assert answer.status_code == 400 and "occurred_at" in answer.json()["error"]["fields"]
    assert not IncidentFact.objects.exists()


def test_changing_a_facts_kind_or_region_is_a_400(client_for, dpo, engine):
    inc = incident()
    client = client_for(dpo)
    created = _post_fact(client, inc, kind="persons_affected", region="FR", count=3)
    assert created.status_code == 201, created.json()
    url = f"/api/v1/incidents/{inc.pk}/facts/{created.json()['id']}"
    for body in ({"kind": "gdpr_risk"}, {"region": "DE"}):
        answer = client.patch(url, {**body, "reason": "x"}, content_type=JSON)
        assert answer.status_code == 400 and set(body) <= set(answer.json()["error"]["fields"])
    same = client.patch(url, {"kind": "persons_affected", "count": 4, "reason": "Recounted."},
                        content_type=JSON)  # fmt: skip
    assert same.status_code == 200, same.json()
    fact = IncidentFact.objects.get()
    assert (fact.kind, fact.region, fact.count) == ("persons_affected", "FR", 4)


def _submit(client, ob, **body):
    return client.post(
        "/api/v1/submissions",
        {"obligation": ob.pk, "recipient": "CNIL", **body},
        content_type=JSON,
    )


def _obligation(engine) -> Obligation:
    engine.set(result())
    notifications.obligations_evaluate(incident=incident())
    return Obligation.objects.get()


def test_a_submission_before_the_incidents_detection_is_a_400_naming_submitted_at(
    client_for, dpo, engine
):
    ob = _obligation(engine)
    client = client_for(dpo)
    early = _submit(client, ob, submitted_at=(DETECTED - dt.timedelta(minutes=1)).isoformat())
    assert early.status_code == 400
    assert "before the incident was detected" in " ".join(
        early.json()["error"]["fields"]["submitted_at"]
    )
    ahead = _submit(client, ob, submitted_at=(NOW + dt.timedelta(hours=1)).isoformat())
    assert ahead.status_code == 400 and "submitted_at" in ahead.json()["error"]["fields"]
    assert not Submission.objects.exists()


def test_a_submission_time_without_offset_is_read_in_the_readers_zone_and_never_guessed(
    client_for, dpo, engine
):
    ob = _obligation(engine)
    dpo.profile.time_zone = "Europe/Paris"
    dpo.profile.save()
    with time_machine.travel(dt.datetime(2026, 10, 26, tzinfo=dt.UTC), tick=False):
        client = client_for(dpo)
        twice = _submit(client, ob, submitted_at="2026-10-25T02:30:00", late_reason="Late.")
        assert twice.status_code == 400
        assert "happens twice" in " ".join(twice.json()["error"]["fields"]["submitted_at"])
        skipped = _submit(client, ob, submitted_at="2026-03-29T02:30:00", late_reason="Late.")
        assert skipped.status_code == 400
        assert "does not exist" in " ".join(skipped.json()["error"]["fields"]["submitted_at"])
        assert not Submission.objects.exists()
    plain = _submit(client_for(dpo), ob, submitted_at="2026-03-02T16:00:00")
    assert plain.status_code == 201, plain.json()
    assert Submission.objects.get().submitted_at == dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC)


def test_a_submission_with_a_field_it_does_not_have_is_a_400_naming_it(client_for, dpo, engine):
    ob = _obligation(engine)
    answer = _submit(client_for(dpo), ob, submitted_at=NOW.isoformat(), bogus=1)
    assert answer.status_code == 400 and "bogus" in answer.json()["error"]["fields"]


def _upload(client, ob, name: str, content: bytes):
    return client.post(
        "/api/v1/submissions",
        {
            "obligation": ob.pk,
            "submitted_at": "2026-03-02T15:00:00Z",
            "recipient": "CNIL",
            "attachment": SimpleUploadedFile(name, content),
        },
    )


def _docx() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("receipt.pdf", b"MZ\x90\x00 not a pdf"),
        ("scan.png", b"%PDF-1.4"),
        ("photo.jpg", b"GIF89a"),
        ("letter.docx", b"PK\x03\x04 not really a zip"),
        ("book.xlsx", b"%PDF-1.4"),
        ("notes.txt", b"text\x00with a NUL"),
        ("data.csv", b"caf\xe9;latin-1"),
    ],
)
def test_an_attachment_whose_content_does_not_match_its_type_is_a_400(
    client_for, dpo, engine, name, content
):
    ob = _obligation(engine)
    answer = _upload(client_for(dpo), ob, name, content)
    assert answer.status_code == 400
    assert "content is not" in " ".join(answer.json()["error"]["fields"]["attachment"])
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.png", b"\x89PNG\r\n\x1a\n...."),
        ("photo.jpeg", b"\xff\xd8\xff\xe0...."),
        ("letter.docx", None),
        ("notes.txt", "Déclaration à la CNIL".encode()),
    ],
)
def test_an_attachment_whose_content_matches_its_type_is_kept(
    client_for, dpo, engine, name, content
):
    ob = _obligation(engine)
    answer = _upload(client_for(dpo), ob, name, content if content is not None else _docx())
    assert answer.status_code == 201, answer.json()


def test_a_non_ascii_file_name_downloads_with_an_rfc_6266_header(client_for, dpo, engine):
    ob = _obligation(engine)
    client = client_for(dpo)
    answer = _upload(client, ob, "Déclaration “CNIL”.pdf", b"%PDF-1.7 receipt")
    assert answer.status_code == 201, answer.json()
    file = client.get(f"/api/v1/submissions/{answer.json()['id']}/attachment")
    header = file["Content-Disposition"]
    assert header.startswith('attachment; filename="Declaration CNIL.pdf"; ')
    assert "filename*=UTF-8''D%C3%A9claration%20%E2%80%9CCNIL%E2%80%9D.pdf" in header


def test_a_changed_fact_time_without_offset_is_read_in_the_facts_stored_zone(
    client_for, dpo, engine
):
    inc = incident()
    client = client_for(dpo)
    created = _post_fact(
        client,
        inc,
        kind="controller_awareness",
        occurred_at="2026-03-02T10:00:00",
        time_zone="Asia/Tokyo",
    )
    assert created.status_code == 201, created.json()
    changed = client.patch(
        f"/api/v1/incidents/{inc.pk}/facts/{created.json()['id']}",
        {"occurred_at": "2026-03-02T11:00:00", "reason": "Corrected."},
        content_type=JSON,
    )
    assert changed.status_code == 200, changed.json()
    fact = IncidentFact.objects.get()
    assert fact.occurred_at == dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC)  # 11:00 JST
    assert fact.time_zone == "Asia/Tokyo"
