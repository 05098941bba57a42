"""Runbooks over the API: import, document control, versions, changes, signing with
re-authentication, sign-offs for auditors, the errors, and constant query counts.

Who may call which endpoint is in tests/permission_matrix.py.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken

from bcp_portal.core import limits, roles, signing
from bcp_portal.core.models import AccountEvent, SignOff
from bcp_portal.core.people import display_name
from compliance.markdown import MAX_RUNBOOK_BYTES
from compliance.models import ChangeRequest, RunbookDocument, RunbookVersion
from tests.compliance import api_factories as runbooks
from tests.compliance.factories import PASSWORD, SMALL_RUNBOOK, signer
from tests.factories import UserFactory
from tests.twofactor import give_two_factor, totp_code

pytestmark = pytest.mark.django_db

DOCUMENTS = reverse("api:runbook-list")
VERSIONS = reverse("api:runbook-version-list")
CHANGES = reverse("api:runbook-change-list")
SIGNOFFS = reverse("api:signoff-list")


def token_client(user) -> Client:
    """A client holding only an API token: no session, no two-factor step."""
    _, key = AuthToken.objects.create(user)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def author(db):
    user = UserFactory(username="author", roles=[roles.SRE_LEAD])
    give_two_factor(user)
    return user


@pytest.fixture
def in_review(author):
    version = runbooks.draft(author=author)
    from compliance import services

    services.change_submit(actor=author, change=version.change)
    version.refresh_from_db()
    return version


@pytest.fixture
def manager(db):
    return signer(roles.ENGINEERING_MANAGER, codes=("22222222", "22222223"))


def sign_url(version) -> str:
    return reverse("api:runbook-change-signoffs", args=[version.change.pk])


def approval(version, **overrides) -> dict:
    return {
        "role": roles.ENGINEERING_MANAGER,
        "decision": "approve",
        "shown_hash": signing.subject_hash(version.change),
        "password": PASSWORD,
        **overrides,
    }


# --- import and documents -----------------------------------------------------------------


def test_an_import_through_the_api_makes_the_document_and_its_draft_once_per_key(
    client_for, author
):
    client = client_for(author)
    body = {"markdown": SMALL_RUNBOOK, "change_type": "procedure_update", "reason": "First"}

    first = post(client, DOCUMENTS, body, HTTP_IDEMPOTENCY_KEY="import-runbook-1")
    again = post(client, DOCUMENTS, body, HTTP_IDEMPOTENCY_KEY="import-runbook-1")

    assert first.status_code == 201, first.json()
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    version = RunbookVersion.objects.get()
    data = first.json()
    assert data["id"] == version.pk and data["status"] == "draft"
    assert data["doc_id"] == "DR-TEST-001"  # from the file's document-control block
    assert data["content"] == SMALL_RUNBOOK
    assert data["content_sha256"] == version.content_sha256
    assert data["signing_hash"] == signing.subject_hash(version.change)
    assert [s["key"] for s in data["sections"]][:2] == ["s1", "s2"]
    assert {"key", "number", "title", "level"} == set(data["sections"][0])
    assert version.history.latest().history_source == "api"


def test_an_import_names_each_bad_field_and_never_answers_500(client_for, author):
    client = client_for(author)

    wrong_types = post(client, DOCUMENTS, {"markdown": 5, "change_type": ["x"], "reason": 1})
    unknown_type = post(client, DOCUMENTS, {"markdown": "# A", "change_type": "whim"})
    bad_id = post(
        client, DOCUMENTS, {"markdown": "# A", "change_type": "contact_update", "doc_id": "a b"}
    )
    no_id = post(client, DOCUMENTS, {"markdown": "# Untitled\n", "change_type": "contact_update"})
    empty = post(client, DOCUMENTS, {"markdown": "", "change_type": "contact_update"})

    assert wrong_types.status_code == 400
    assert set(wrong_types.json()["error"]["fields"]) == {"markdown", "change_type", "reason"}
    assert unknown_type.status_code == 400
    assert list(unknown_type.json()["error"]["fields"]) == ["change_type"]
    assert list(bad_id.json()["error"]["fields"]) == ["doc_id"]
    assert list(no_id.json()["error"]["fields"]) == ["doc_id"]
    assert "Document ID" in no_id.json()["error"]["fields"]["doc_id"][0]
    assert list(empty.json()["error"]["fields"]) == ["markdown"]
    assert not RunbookDocument.objects.exists()


def test_a_runbook_over_the_limit_is_refused_naming_the_field_or_the_body_size(client_for, author):
    client = client_for(author)
    over_text = "x" * (MAX_RUNBOOK_BYTES + 1)
    over_body = "x" * (limits.REQUEST_BODY_MAX_BYTES + 1)

    too_long = post(client, DOCUMENTS, {"markdown": over_text, "change_type": "contact_update"})
    too_big = post(client, DOCUMENTS, {"markdown": over_body, "change_type": "contact_update"})

    assert too_long.status_code == 400
    assert list(too_long.json()["error"]["fields"]) == ["markdown"]
    assert too_big.status_code == 413
    assert not RunbookDocument.objects.exists()


def test_the_document_shows_its_published_version_open_change_and_next_review(client_for, sre):
    published = runbooks.published()
    from compliance import services

    opened = services.change_open(
        actor=published.change.author,
        document=published.document,
        change_type="contact_update",
        reason="New numbers",
    )

    data = client_for(sre).get(reverse("api:runbook-detail", args=[published.document_id]))

    assert data.status_code == 200
    body = data.json()
    assert body["published_label"] == published.label
    assert (body["open_version"], body["open_label"], body["open_status"]) == (
        opened.pk,
        opened.label,
        "draft",
    )
    assert body["next_review"] == published.document.next_review.isoformat()
    assert body["review_hash"] == signing.subject_hash(published.document)


def test_the_document_list_filters_by_state_and_search(client_for, sre):
    published = runbooks.published()
    unpublished = runbooks.draft()
    client = client_for(sre)

    def ids(**params):
        response = client.get(DOCUMENTS, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(state="unpublished") == [unpublished.document_id]
    assert ids(search=published.document.doc_id) == [published.document_id]
    assert client.get(DOCUMENTS, {"state": "lost"}).json()["error"]["fields"].keys() == {"state"}


@pytest.mark.parametrize("rows", [3, 30])
def test_the_document_list_query_count_does_not_grow_with_rows(
    client_for, sre, author, rows, django_assert_num_queries
):
    for _ in range(rows):
        runbooks.draft(author=author)
    client = client_for(sre)
    client.get(DOCUMENTS)  # the organisation profile is read once per process
    # session, user, 2FA device, profile (time zone), permissions, organisation today, page
    with django_assert_num_queries(6):
        response = client.get(DOCUMENTS, {"page_size": 50})
    assert len(response.json()["results"]) == rows


def test_the_sre_lead_changes_document_control_through_the_api(client_for, srelead, sre):
    version = runbooks.draft()
    url = reverse("api:runbook-detail", args=[version.document_id])

    refused = patch(client_for(sre), url, {"title": "Mine now"})
    changed = patch(client_for(srelead), url, {"title": "Recovery", "review_cadence": "annual"})
    bad = patch(client_for(srelead), url, {"review_cadence": "weekly", "next_review": "3100-01-01"})

    assert refused.status_code == 403
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["title"], changed.json()["review_cadence"]) == ("Recovery", "annual")
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"review_cadence", "next_review"}
    document = RunbookDocument.objects.get(pk=version.document_id)
    assert document.title == "Recovery"
    assert document.history.latest().history_user == srelead


def test_a_review_through_the_api_needs_the_password_and_a_fresh_code(client_for):
    version = runbooks.published()
    reviewer = signer(roles.DPO, codes=("55555555",))
    url = reverse("api:runbook-reviews", args=[version.document_id])
    body = {
        "role": roles.DPO,
        "shown_hash": signing.subject_hash(version.document),
        "password": PASSWORD,
        "comment": "Still right.",
    }
    client = token_client(reviewer)

    without_code = post(client, url, body)
    done = post(client, url, {**body, "otp_code": "55555555"})

    assert without_code.status_code == 400
    assert list(without_code.json()["error"]["fields"]) == ["otp_code"]
    assert done.status_code == 201, done.json()
    assert done.json()["decision"] == "reviewed"
    document = RunbookDocument.objects.get(pk=version.document_id)
    assert document.last_reviewed_on is not None


# --- versions -------------------------------------------------------------------------------


def test_a_version_carries_its_content_hash_sections_and_signing_hash(client_for, sre, in_review):
    response = client_for(sre).get(reverse("api:runbook-version-detail", args=[in_review.pk]))

    data = response.json()
    assert data["content"] == in_review.content
    assert data["content_sha256"] == in_review.content_sha256
    assert data["signing_hash"] == signing.subject_hash(in_review.change)
    assert data["change"] == in_review.change.pk
    assert data["sections"][1]["title"] == "1. Contacts"


@pytest.mark.parametrize("name", ["api:runbook-version-detail", "api:runbook-version-markdown"])
def test_a_version_s_detail_and_markdown_read_the_version_once(
    client_for, sre, in_review, name, django_assert_num_queries
):
    url = reverse(name, args=[in_review.pk])
    client = client_for(sre)
    client.get(url)
    # session, user, 2FA device, profile, permissions, the version (document and change
    # joined: the signing hash needs nothing more)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200


def test_the_markdown_export_is_exactly_the_version_s_content(client_for, sre, in_review):
    response = client_for(sre).get(reverse("api:runbook-version-markdown", args=[in_review.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert response.content.decode() == in_review.content


def test_the_version_list_filters_by_document_and_status(client_for, sre, in_review):
    other = runbooks.draft()
    client = client_for(sre)

    def ids(**params):
        return [row["id"] for row in client.get(VERSIONS, params).json()["results"]]

    assert ids(document=in_review.document_id) == [in_review.pk]
    assert ids(status="draft") == [other.pk]
    assert client.get(VERSIONS, {"document": "x"}).status_code == 400
    assert "content" not in client.get(VERSIONS).json()["results"][0]


@pytest.mark.parametrize("rows", [3, 30])
def test_the_version_list_query_count_does_not_grow_with_rows(
    client_for, sre, author, rows, django_assert_num_queries
):
    for _ in range(rows):
        runbooks.draft(author=author)
    client = client_for(sre)
    # session, user, 2FA device, profile (time zone), permissions, the page
    with django_assert_num_queries(6):
        response = client.get(VERSIONS, {"page_size": 50})
    assert len(response.json()["results"]) == rows


def test_the_author_replaces_the_content_only_over_what_they_were_shown(client_for, author):
    version = runbooks.draft(author=author)
    url = reverse("api:runbook-version-detail", args=[version.pk])
    client = client_for(author)

    stale = patch(client, url, {"content": runbooks.EDITED, "shown_sha256": "0" * 64})
    saved = patch(client, url, {"content": runbooks.EDITED, "shown_sha256": version.content_sha256})
    other = patch(client_for(UserFactory(roles=[roles.SRE])), url, {"content": "# Mine\n"})

    assert stale.status_code == 400
    assert "changed since you opened" in stale.json()["error"]["message"] + json.dumps(stale.json())
    assert saved.status_code == 200, saved.json()
    assert saved.json()["content"] == runbooks.EDITED
    assert other.status_code == 403
    assert "Only its author" in other.json()["error"]["message"]


def test_one_section_is_edited_and_an_unknown_key_is_named(client_for, author):
    version = runbooks.draft(author=author)
    client = client_for(author)

    unknown = post(
        client, reverse("api:runbook-version-sections", args=[version.pk, "s99"]), {"text": "x"}
    )
    edited = post(
        client,
        reverse("api:runbook-version-sections", args=[version.pk, "s2"]),
        {
            "text": "## 1. Contacts\nCall the SRE Lead first.\n",
            "shown_sha256": version.content_sha256,
        },
    )
    wrong_type = post(
        client, reverse("api:runbook-version-sections", args=[version.pk, "s2"]), {"text": 7}
    )

    assert unknown.status_code == 400
    assert list(unknown.json()["error"]["fields"]) == ["key"]
    assert edited.status_code == 200, edited.json()
    assert "Call the SRE Lead first." in edited.json()["content"]
    assert "Call the on-call engineer first." not in edited.json()["content"]
    assert list(wrong_type.json()["error"]["fields"]) == ["text"]


def test_a_change_goes_from_draft_to_published_through_the_api(client_for, author):
    lead = client_for(author)
    imported = post(
        lead,
        DOCUMENTS,
        {"markdown": SMALL_RUNBOOK, "change_type": "contact_update", "reason": "New"},
    ).json()
    change_url = reverse("api:runbook-change-detail", args=[imported["change"]])

    early = post(lead, reverse("api:runbook-version-publish", args=[imported["id"]]), {})
    submitted = post(lead, reverse("api:runbook-change-submit", args=[imported["change"]]), {})
    lead_signer = signer(roles.SRE_LEAD, username="other-lead", codes=("77777777",))
    version = RunbookVersion.objects.get(pk=imported["id"])
    signed = post(
        token_client(lead_signer),
        sign_url(version),
        approval(version, role=roles.SRE_LEAD, otp_code="77777777"),
    )
    published = post(lead, reverse("api:runbook-version-publish", args=[imported["id"]]), {})

    assert early.status_code == 400
    assert "Only an approved version" in early.json()["error"]["fields"]["non_field_errors"][0]
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["required_roles"][0]["role"] == roles.SRE_LEAD
    assert signed.status_code == 201, signed.json()
    assert published.status_code == 200, published.json()
    assert published.json()["status"] == "published"
    change = lead.get(change_url).json()
    assert change["required_roles"] == [
        {
            "role": roles.SRE_LEAD,
            "status": "approved",
            "signer": {"id": lead_signer.pk, "name": lead_signer.get_full_name() or "other-lead"},
            "signed_at": signed.json()["signed_at"],
        }
    ]


def test_a_new_change_opens_on_a_published_runbook_and_not_twice(client_for, author):
    published = runbooks.published()
    client = client_for(author)
    url = reverse("api:runbook-changes", args=[published.document_id])

    opened = post(client, url, {"change_type": "contact_update", "reason": "New numbers"})
    twice = post(client, url, {"change_type": "contact_update", "reason": "Again"})
    unknown = post(client, url, {"change_type": "rewrite"})

    assert opened.status_code == 201, opened.json()
    assert opened.json()["based_on"] == published.pk
    assert opened.json()["content"] == published.content
    assert twice.status_code == 400
    assert "already has an open change" in twice.json()["error"]["message"] + json.dumps(
        twice.json()
    )
    assert list(unknown.json()["error"]["fields"]) == ["change_type"]


# --- changes and signing ------------------------------------------------------------------


def test_signing_with_only_a_token_and_no_password_is_refused_naming_the_password(
    in_review, manager
):
    response = post(token_client(manager), sign_url(in_review), approval(in_review, password=None))
    missing = post(
        token_client(manager),
        sign_url(in_review),
        {k: v for k, v in approval(in_review).items() if k != "password"},
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["password"]
    assert list(missing.json()["error"]["fields"]) == ["password"]
    assert not SignOff.objects.exists()


def test_a_wrong_password_or_code_is_refused_by_field_and_recorded_for_the_lockout(
    in_review, manager
):
    client = token_client(manager)

    wrong_password = post(
        client, sign_url(in_review), approval(in_review, password="guess", otp_code="22222222")
    )
    wrong_code = post(client, sign_url(in_review), approval(in_review, otp_code="00000000"))
    no_code = post(client, sign_url(in_review), approval(in_review))

    assert wrong_password.status_code == 400
    assert list(wrong_password.json()["error"]["fields"]) == ["password"]
    assert wrong_code.status_code == 400
    assert list(wrong_code.json()["error"]["fields"]) == ["otp_code"]
    assert list(no_code.json()["error"]["fields"]) == ["otp_code"]
    failures = AccountEvent.objects.filter(user=manager, kind=AccountEvent.Kind.REAUTH_FAILED)
    assert failures.count() == 3
    assert not SignOff.objects.exists()
    for body in (wrong_password, wrong_code):
        assert "guess" not in body.content.decode() and "00000000" not in body.content.decode()


def test_a_good_signature_answers_201_and_a_replayed_code_is_refused(in_review, manager):
    client = token_client(manager)
    device = give_two_factor(manager)
    code = totp_code(device)

    signed = post(client, sign_url(in_review), approval(in_review, otp_code=code))
    in_review.refresh_from_db()
    replay = post(
        token_client(signer(roles.DPO, username="dpo-x")),
        sign_url(in_review),
        approval(in_review, role=roles.DPO, otp_code=code),
    )
    again = post(
        client,
        sign_url(in_review),
        approval(
            in_review,
            role=roles.ENGINEERING_MANAGER,
            decision="reject",
            comment="No",
            otp_code=code,
        ),
    )

    assert signed.status_code == 201, signed.json()
    body = signed.json()
    assert body["signer"] == manager.pk
    assert (body["role"], body["decision"]) == (roles.ENGINEERING_MANAGER, "approve")
    assert body["content_sha256"] == signing.subject_hash(in_review.change)
    assert body["signed_at"]
    assert "password" not in body and "otp_code" not in body
    assert PASSWORD not in signed.content.decode() and code not in signed.content.decode()
    assert replay.status_code == 400  # another person's code: not theirs
    assert again.status_code == 400
    assert list(again.json()["error"]["fields"]) == ["otp_code"]  # the same code, used
    assert SignOff.objects.count() == 1


def test_signing_what_was_not_shown_or_one_s_own_change_is_refused_with_the_reason(
    in_review, author, manager
):
    stale = post(
        token_client(manager),
        sign_url(in_review),
        approval(in_review, shown_hash="0" * 64, otp_code="22222222"),
    )
    own = post(
        token_client(author),
        sign_url(in_review),
        approval(in_review, role=roles.SRE_LEAD, otp_code="1"),
    )
    auditor = UserFactory(roles=[roles.AUDITOR])
    role_less = post(token_client(auditor), sign_url(in_review), approval(in_review))

    assert stale.status_code == 400
    assert "not the current content" in stale.json()["error"]["message"] + json.dumps(stale.json())
    assert own.status_code == 403  # SRE Lead is not a role this procedure update needs
    assert role_less.status_code == 403
    assert not SignOff.objects.exists()


def test_a_rejection_through_the_api_needs_a_comment_and_returns_the_change_to_draft(
    client_for, in_review, manager, sre
):
    client = token_client(manager)
    url = reverse("api:runbook-change-detail", args=[in_review.change.pk])

    silent = post(
        client, sign_url(in_review), approval(in_review, decision="reject", otp_code="22222222")
    )
    rejected = post(
        client,
        sign_url(in_review),
        approval(
            in_review, decision="reject", comment="Step 3 skips the DNS.", otp_code="22222223"
        ),
    )
    change = client_for(sre).get(url).json()

    assert silent.status_code == 400
    assert "Say why you reject it" in silent.json()["error"]["message"] + json.dumps(silent.json())
    assert rejected.status_code == 201, rejected.json()
    assert rejected.json()["decision"] == "reject"
    assert change["version_status"] == "draft"
    assert change["rejection_comment"] == "Step 3 skips the DNS."
    assert change["rejected_by"] == {"id": manager.pk, "name": display_name(manager)}
    assert all(r["status"] == "waiting" for r in change["required_roles"])


def test_a_change_of_type_through_the_api_voids_the_signatures_and_asks_again(
    client_for, in_review, manager, author
):
    post(token_client(manager), sign_url(in_review), approval(in_review, otp_code="22222222"))
    url = reverse("api:runbook-change-detail", args=[in_review.change.pk])

    response = patch(client_for(author), url, {"change_type": "compliance_update"})
    wrong_type = patch(client_for(author), url, {"reason": 12})

    assert response.status_code == 200, response.json()
    assert [r["role"] for r in response.json()["required_roles"]] == ["DPO", "Legal Counsel"]
    assert all(r["status"] == "waiting" for r in response.json()["required_roles"])
    assert not signing.valid_approvals(in_review.change).exists()
    assert list(wrong_type.json()["error"]["fields"]) == ["reason"]


def test_the_author_withdraws_a_change_with_a_reason(client_for, in_review, author):
    url = reverse("api:runbook-change-withdraw", args=[in_review.change.pk])

    no_reason = post(client_for(author), url, {})
    withdrawn = post(client_for(author), url, {"reason": "Superseded by a bigger change"})

    assert list(no_reason.json()["error"]["fields"]) == ["reason"]
    assert withdrawn.status_code == 200
    assert withdrawn.json()["version_status"] == "withdrawn"


@pytest.mark.parametrize("rows", [3, 30])
def test_the_change_list_query_count_does_not_grow_with_rows(
    client_for, sre, author, rows, django_assert_num_queries
):
    from compliance import services

    for n in range(rows):
        version = runbooks.draft(author=author)
        if n % 2:
            services.change_submit(actor=author, change=version.change)
    client = client_for(sre)
    client.get(CHANGES)
    # session, user, 2FA device, profile, permissions, the page, required roles, approvals
    with django_assert_num_queries(8):
        response = client.get(CHANGES, {"page_size": 50})
    assert len(response.json()["results"]) == rows
    assert ChangeRequest.objects.count() == rows


def test_a_change_s_detail_reads_the_change_once(
    client_for, sre, in_review, manager, django_assert_num_queries
):
    post(token_client(manager), sign_url(in_review), approval(in_review, otp_code="22222222"))
    url = reverse("api:runbook-change-detail", args=[in_review.change.pk])
    client = client_for(sre)
    client.get(url)
    # session, user, 2FA device, profile, permissions, the change (version and document
    # joined), its required roles, its approvals
    with django_assert_num_queries(8):
        response = client.get(url)
    data = response.json()
    assert data["signing_hash"] == signing.subject_hash(in_review.change)
    assert [(r["role"], r["status"]) for r in data["required_roles"]] == [
        (roles.ENGINEERING_MANAGER, "approved"),
        (roles.DPO, "waiting"),
    ]
    assert data["required_roles"][0]["signer"]["id"] == manager.pk


# --- sign-offs for auditors ---------------------------------------------------------------


def test_an_auditor_reads_the_signoffs_filtered_by_purpose_and_signer(client_for, auditor):
    version = runbooks.approved()
    approvals = list(signing.valid_approvals(version.change))
    client = client_for(auditor)

    every = client.get(SIGNOFFS).json()["results"]
    by_signer = client.get(SIGNOFFS, {"signer": approvals[0].signer_id}).json()["results"]
    reviews = client.get(SIGNOFFS, {"purpose": "runbook_review"}).json()["results"]
    bad = client.get(SIGNOFFS, {"purpose": "nonsense", "signer": "0"})

    assert {row["id"] for row in every} == {s.pk for s in approvals}
    assert [row["id"] for row in by_signer] == [approvals[0].pk]
    assert reviews == []
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"purpose", "signer"}


def test_the_signoff_purpose_filter_offers_exactly_the_purposes_registered_for_signing(
    client_for, auditor
):
    bad = client_for(auditor).get(SIGNOFFS, {"purpose": "nonsense"})

    # Post-mortem reviews (incidents, issue #10) sign through the same service.
    assert signing.purposes() == ["postmortem_review", "runbook_change", "runbook_review"]
    message = bad.json()["error"]["fields"]["purpose"][0]
    assert "runbook_change" in message and "runbook_review" in message
    assert "postmortem_review" in message


@pytest.mark.parametrize("rows", [1, 10])
def test_the_signoff_list_query_count_does_not_grow_with_rows(
    client_for, auditor, rows, django_assert_num_queries
):
    for _ in range(rows):
        runbooks.approved()
    client = client_for(auditor)
    # session, user, 2FA device, profile, permissions, the page (signers joined)
    with django_assert_num_queries(6):
        response = client.get(SIGNOFFS, {"page_size": 50})
    assert len(response.json()["results"]) == rows * 2


def test_unknown_ids_answer_404_in_the_error_shape(client_for, sre):
    client = client_for(sre)
    for name in ("api:runbook-detail", "api:runbook-version-detail", "api:runbook-change-detail"):
        response = client.get(reverse(name, args=[2**31 - 1]))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert client.get(f"{DOCUMENTS}/abc").status_code == 404
    assert client.get(f"{VERSIONS}/99999999999999999999/markdown").status_code == 404
