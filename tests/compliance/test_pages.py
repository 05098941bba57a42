"""The runbook pages: who sees them, forms that keep what was typed, the import, the
section editor, the diff's parameters, the sign page's refusals, pinned query counts."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from bcp_portal.core import roles, signing
from bcp_portal.core.models import SignOff
from compliance import services
from compliance.markdown import sections
from compliance.models import ChangeType, RunbookDocument, RunbookVersion
from tests.compliance.factories import (
    PASSWORD,
    SMALL_RUNBOOK,
    approve,
    document_with_draft,
    signer,
    submitted,
)
from tests.conftest import PERSONAS
from tests.dashboard import dashboard_page
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    return signer(roles.SRE_LEAD, username="lead")


@pytest.fixture
def in_review(lead):
    """A procedure update in review: it needs the Engineering Manager and the DPO."""
    return submitted(lead, document_with_draft(lead))


def _sign_data(change, **overrides) -> dict:
    data = {
        "role": roles.ENGINEERING_MANAGER,
        "decision": "approve",
        "comment": "Looks right.",
        "password": PASSWORD,
        "otp_code": "",
        "shown_hash": signing.subject_hash(change),
    }
    return data | overrides


def _upload(content: bytes, name: str = "runbook.md") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/markdown")


def _key(content: str, title: str) -> str:
    return next(s.key for s in sections(content) if title in s.title)


def _token(response) -> str:
    match = re.search(rb'name="submission_token" value="([^"]+)"', response.content)
    assert match, "the form carries a one-time token"
    return match.group(1).decode()


# --- who sees what ---------------------------------------------------------------------


def test_every_runbook_page_renders_for_each_role_and_refuses_the_outsider(
    client_for, personas, in_review
):
    version = in_review
    base = version.based_on
    urls = [
        reverse("compliance:document-list"),
        reverse("compliance:document-detail", args=[version.document.pk]),
        reverse("compliance:version-detail", args=[version.pk]),
        reverse("compliance:approvals"),
        reverse("compliance:change-sign", args=[version.change.pk]),
        reverse("compliance:version-markdown", args=[version.pk]),
        f"{reverse('compliance:diff')}?from={version.pk}&to={version.pk}",
    ]
    assert base is None
    for name in PERSONAS:
        client = client_for(personas[name])
        for url in urls:
            status = client.get(url).status_code
            expected = 403 if name == "outsider" else 200
            assert status == expected, (name, url, status)


def test_the_navigation_leads_approvers_to_their_inbox_in_one_click(client_for, personas):
    html = dashboard_page(client_for(personas["dpo"]))
    assert reverse("compliance:approvals") in html
    sre_html = dashboard_page(client_for(personas["sre"]))
    assert reverse("compliance:document-list") in sre_html
    assert reverse("compliance:approvals") not in sre_html


# --- import ----------------------------------------------------------------------------


def test_importing_a_file_makes_a_draft_and_opens_its_page(client_for, lead):
    client = client_for(lead)
    form = client.get(reverse("compliance:document-import"))
    assert b"2 MB" in form.content  # the limit is stated
    response = client.post(
        reverse("compliance:document-import"),
        {
            "file": _upload(SMALL_RUNBOOK.encode()),
            "change_type": ChangeType.PROCEDURE_UPDATE,
            "reason": "First import",
            "submission_token": _token(form),
        },
    )
    version = RunbookVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("compliance:version-detail", args=[version.pk])
    assert version.document.doc_id == "DR-TEST-001"
    assert version.content == SMALL_RUNBOOK


def test_an_import_sent_twice_makes_one_document(client_for, lead):
    client = client_for(lead)
    token = _token(client.get(reverse("compliance:document-import")))
    for _ in range(2):
        response = client.post(
            reverse("compliance:document-import"),
            {
                "file": _upload(SMALL_RUNBOOK.encode()),
                "change_type": ChangeType.PROCEDURE_UPDATE,
                "reason": "First import",
                "submission_token": token,
            },
        )
        assert response.status_code == 302
    assert RunbookDocument.objects.count() == 1
    assert RunbookVersion.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "says"),
    [(b"# Title\n\xff\xfe broken", "not valid UTF-8"), (b"", "empty")],
    ids=["not-utf8", "empty"],
)
def test_a_file_that_is_not_text_is_refused_on_the_file_field_keeping_the_rest(
    client_for, lead, content, says
):
    response = client_for(lead).post(
        reverse("compliance:document-import"),
        {
            "file": _upload(content),
            "change_type": ChangeType.STRATEGY_CHANGE,
            "reason": "Keep this reason",
            "doc_id": "DR-KEEP-9",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert says in " ".join(form.errors["file"])
    html = response.content.decode()
    assert "Keep this reason" in html
    assert 'value="DR-KEEP-9"' in html
    assert RunbookDocument.objects.count() == 0


# --- document page ---------------------------------------------------------------------


def test_the_markdown_download_is_the_version_content_exactly(client_for, lead):
    version = document_with_draft(lead, text=SMALL_RUNBOOK.replace("\n", "\r\n"))
    response = client_for(lead).get(reverse("compliance:version-markdown", args=[version.pk]))
    assert response["Content-Type"].startswith("text/markdown")
    assert (
        response["Content-Disposition"] == f'attachment; filename="DR-TEST-001_{version.label}.md"'
    )
    assert response.content.decode() == version.content == SMALL_RUNBOOK


def test_proposing_a_change_without_a_type_keeps_the_reason(client_for, lead, in_review):
    document = in_review.document
    services.change_withdraw(actor=lead, change=in_review.change, reason="Start again")
    response = client_for(lead).post(
        reverse("compliance:change-open", args=[document.pk]),
        {"change_type": "nonsense", "reason": "Rotate the on-call numbers"},
    )
    assert response.status_code == 400
    assert "change_type" in response.context["change_form"].errors
    assert "Rotate the on-call numbers" in response.content.decode()


def _control(**overrides) -> dict:
    data = {
        "title": "Recovery Runbook",
        "owner": "SRE Team",
        "owner_user": "",
        "classification": "confidential",
        "review_cadence": "quarterly",
        "next_review": "2031-01-15",
    }
    return data | overrides


def test_document_control_names_who_is_reminded_of_reviews_among_the_role_holders(client_for, lead):
    document = document_with_draft(lead).document
    sre = UserFactory(username="sam", first_name="Sam", last_name="Reyes", roles=[roles.SRE])
    nobody = UserFactory(username="norole", first_name="Nora")
    url = reverse("compliance:document-edit", args=[document.pk])
    client = client_for(lead)
    form = client.get(url).context["form"]
    offered = list(form.fields["owner_user"].queryset)
    assert sre in offered and lead in offered
    assert nobody not in offered
    assert "Sam Reyes" in client.get(url).content.decode()  # named as people are named
    response = client.post(url, _control(owner_user=sre.pk))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.owner_user == sre
    page = client.get(reverse("compliance:document-detail", args=[document.pk]))
    assert "Sam Reyes" in page.content.decode()


def test_someone_without_a_role_is_refused_as_review_owner_keeping_what_was_typed(client_for, lead):
    document = document_with_draft(lead).document
    nobody = UserFactory(username="norole")
    url = reverse("compliance:document-edit", args=[document.pk])
    response = client_for(lead).post(url, _control(owner_user=nobody.pk, title="Kept title"))
    assert response.status_code == 400
    assert response.context["form"].errors["owner_user"]
    assert 'value="Kept title"' in response.content.decode()
    document.refresh_from_db()
    assert document.owner_user is None
    assert document.title != "Kept title"


def test_a_review_owner_who_later_loses_their_role_stays_until_changed(client_for, lead):
    document = document_with_draft(lead).document
    sre = UserFactory(username="sam", roles=[roles.SRE])
    services.document_update(actor=lead, document=document, owner_user=sre)
    sre.groups.clear()
    url = reverse("compliance:document-edit", args=[document.pk])
    client = client_for(lead)
    assert sre in client.get(url).context["form"].fields["owner_user"].queryset
    response = client.post(url, _control(owner_user=sre.pk, title="Renamed"))
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.owner_user, document.title) == (sre, "Renamed")


def test_a_refused_change_update_keeps_the_typed_reason_on_the_version_page(client_for, lead):
    version = document_with_draft(lead)
    url = reverse("compliance:version-change-update", args=[version.pk])
    response = client_for(lead).post(url, {"change_type": "nonsense", "reason": "Keep me"})
    assert response.status_code == 400
    assert "change_type" in response.context["update_form"].errors
    assert "Keep me" in response.content.decode()
    version.change.refresh_from_db()
    assert version.change.reason == "First import"


def test_withdrawing_without_a_reason_is_refused_on_the_reason_field(client_for, lead):
    version = document_with_draft(lead)
    url = reverse("compliance:version-withdraw", args=[version.pk])
    response = client_for(lead).post(url, {"reason": ""})
    assert response.status_code == 400
    assert response.context["withdraw_form"].errors["reason"]
    version.refresh_from_db()
    assert version.status == RunbookVersion.Status.DRAFT


# --- section editor --------------------------------------------------------------------


def test_a_stale_section_edit_keeps_the_typed_text(client_for, lead):
    version = document_with_draft(lead)
    key = _key(version.content, "Contacts")
    url = reverse("compliance:section-edit", args=[version.pk, key])
    client = client_for(lead)
    shown = client.get(url).context["form"].initial["content_sha256"]
    # Someone saves in between.
    services.version_section_edit(
        actor=lead, version=version, key=key, text="## 1. Contacts\nCall Ana.\n", shown_sha256=""
    )
    response = client.post(
        url, {"text": "## 1. Contacts\nCall Bo first.\n", "content_sha256": shown}
    )
    assert response.status_code == 400
    assert "changed since you opened the editor" in response.content.decode()
    assert "Call Bo first." in response.content.decode()
    version.refresh_from_db()
    assert "Call Ana." in version.content


def test_saving_a_section_changes_only_that_section(client_for, lead):
    version = document_with_draft(lead)
    key = _key(version.content, "Contacts")
    url = reverse("compliance:section-edit", args=[version.pk, key])
    client = client_for(lead)
    shown = client.get(url).context["form"].initial["content_sha256"]
    text = "## 1. Contacts\nCall Ana.\n\n"
    response = client.post(url, {"text": text, "content_sha256": shown})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.content == SMALL_RUNBOOK.replace("Call the on-call engineer first.", "Call Ana.")


def test_the_author_s_version_page_renders_the_text_once_with_an_edit_link_per_section(
    client_for, lead
):
    version = document_with_draft(lead, text="Read this first.\n\n" + SMALL_RUNBOOK)
    url = reverse("compliance:version-detail", args=[version.pk])
    html = client_for(lead).get(url).content.decode()
    for section in sections(version.content):
        edit = reverse("compliance:section-edit", args=[version.pk, section.key])
        assert f'href="{edit}"' in html, section.key
    assert 'aria-label="Edit Preamble"' in html
    assert 'aria-label="Edit 2.1 Restore"' in html
    # One rendering of the whole text: each heading once, with its key as id.
    assert html.count('id="s4"') == 1
    assert html.count("Call the on-call engineer first.") == 1


def test_a_reader_s_version_page_has_no_edit_links(client_for, lead):
    version = document_with_draft(lead)
    other = client_for(UserFactory(roles=[roles.SRE]))
    html = other.get(reverse("compliance:version-detail", args=[version.pk])).content.decode()
    assert "section-edit" not in html
    assert 'href="#s4"' in html  # the contents still lead to each heading


def test_an_sre_who_is_not_the_author_may_not_edit_a_section(client_for, lead):
    version = document_with_draft(lead)
    key = sections(version.content)[1].key
    url = reverse("compliance:section-edit", args=[version.pk, key])
    other = client_for(UserFactory(roles=[roles.SRE]))
    assert other.get(url).status_code == 403
    response = other.post(url, {"text": "# Hacked\n", "content_sha256": version.content_sha256})
    assert response.status_code == 403
    version.refresh_from_db()
    assert "Hacked" not in version.content


# --- diff ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("", "from"),
        ("from=abc&to=1", "from"),
        ("from={v}", "to"),
        ("from={v}&to=99999999", "to"),
        ("from={v}&to=" + "9" * 30, "to"),
        ("from={v}&to={other}", "to"),
    ],
)
def test_bad_diff_parameters_answer_400_naming_the_parameter(client_for, lead, query, parameter):
    version = document_with_draft(lead)
    other = document_with_draft(lead, doc_id="DR-OTHER-2")
    url = reverse("compliance:diff") + "?" + query.format(v=version.pk, other=other.pk)
    response = client_for(lead).get(url)
    assert response.status_code == 400
    assert f'data-parameter="{parameter}"' in response.content.decode()
    assert f"“{parameter}”" in response.content.decode()


def test_the_diff_shows_each_changed_section_side_by_side(client_for, lead, in_review):
    em, dpo = signer(roles.ENGINEERING_MANAGER, codes=("em-1",)), signer(roles.DPO, codes=("d-1",))
    approve(in_review, em, roles.ENGINEERING_MANAGER, "em-1")
    approve(in_review, dpo, roles.DPO, "d-1")
    services.version_publish(actor=lead, version=in_review)
    draft = services.change_open(
        actor=lead, document=in_review.document, change_type=ChangeType.CONTACT_UPDATE
    )
    key = _key(draft.content, "Contacts")
    services.version_section_edit(
        actor=lead, version=draft, key=key, text="## 1. Contacts\nCall Ana.\n", shown_sha256=""
    )
    url = f"{reverse('compliance:diff')}?from={in_review.pk}&to={draft.pk}"
    response = client_for(lead).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="changed"' in html
    assert "diff-changed" in html
    assert "Call Ana." in html and "Call the on-call engineer first." in html
    assert "1 section changed" in html


# --- the sign page ---------------------------------------------------------------------


def test_the_author_is_shown_why_they_may_not_sign_instead_of_the_form(client_for, lead, in_review):
    lead.groups.add(*UserFactory(roles=[roles.DPO]).groups.all())
    response = client_for(lead).get(reverse("compliance:change-sign", args=[in_review.change.pk]))
    assert response.status_code == 200
    assert "separation of duties" in response.content.decode()
    assert response.context["form"] is None


def test_the_sign_page_shows_the_full_hash_it_signs(client_for, in_review):
    em = signer(roles.ENGINEERING_MANAGER)
    response = client_for(em).get(reverse("compliance:change-sign", args=[in_review.change.pk]))
    html = response.content.decode()
    full = signing.subject_hash(in_review.change)
    assert full in html
    assert "canonical form v1" in html
    assert f'value="{full}"' in html


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"password": "wrong"}, "password", "not your password"),
        ({"otp_code": "nope-nope"}, "otp_code", ""),
        ({"decision": "reject", "comment": ""}, None, "Say why you reject it"),
    ],
    ids=["wrong-password", "wrong-code", "reject-without-comment"],
)
def test_a_refused_signature_says_why_keeps_the_comment_and_signs_nothing(
    client_for, in_review, overrides, field, says
):
    em = signer(roles.ENGINEERING_MANAGER, codes=("em-good",))
    change = in_review.change
    data = _sign_data(change, otp_code="em-good", comment="My careful comment") | overrides
    response = client_for(em).post(reverse("compliance:change-sign", args=[change.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    if field:
        assert response.context["form"].errors[field]
    assert says in html
    if data["comment"]:
        assert "My careful comment" in html
    assert "Not signed" in html
    assert not SignOff.objects.exists()


def test_two_approvals_through_the_page_then_publish(client_for, lead, in_review):
    change = in_review.change
    em = signer(roles.ENGINEERING_MANAGER, codes=("em-1",))
    dpo = signer(roles.DPO, codes=("dpo-1",))
    url = reverse("compliance:change-sign", args=[change.pk])
    em_client = client_for(em)
    response = em_client.post(url, _sign_data(change, otp_code="em-1"))
    assert response.status_code == 302
    # Sent again: "Already signed", nothing more written.
    again = em_client.post(url, _sign_data(change, otp_code="em-1"))
    assert again.status_code == 302
    assert SignOff.objects.count() == 1
    response = client_for(dpo).post(url, _sign_data(change, role=roles.DPO, otp_code="dpo-1"))
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == RunbookVersion.Status.APPROVED
    page = client_for(lead).get(reverse("compliance:version-detail", args=[in_review.pk]))
    assert b"approved by" in page.content
    response = client_for(lead).post(reverse("compliance:version-publish", args=[in_review.pk]))
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == RunbookVersion.Status.PUBLISHED


def test_someone_without_a_required_role_is_refused_with_403(client_for, in_review):
    legal = signer(roles.LEGAL_COUNSEL)
    change = in_review.change
    url = reverse("compliance:change-sign", args=[change.pk])
    assert b"needs one of the roles" in client_for(legal).get(url).content
    response = client_for(legal).post(url, _sign_data(change, role=roles.LEGAL_COUNSEL))
    assert response.status_code == 403
    assert not SignOff.objects.exists()


# --- approvals inbox -------------------------------------------------------------------


def test_the_inbox_says_when_nothing_waits(client_for):
    response = client_for(signer(roles.DPO)).get(reverse("compliance:approvals"))
    assert b"Nothing waits for your approval" in response.content


def test_the_inbox_shows_the_rule_and_the_role_asked(client_for, in_review):
    response = client_for(signer(roles.DPO)).get(reverse("compliance:approvals"))
    html = response.content.decode()
    assert "you are asked as DPO" in html
    assert in_review.change.rule_text in html
    assert reverse("compliance:change-sign", args=[in_review.change.pk]) in html


def test_the_inbox_asks_a_person_in_each_of_their_roles_the_change_still_wants(client_for, lead):
    """A compliance update needs the DPO and Legal Counsel: a person holding both is asked
    in both (in the matrix's order) until someone else fills one of them."""
    version = submitted(lead, document_with_draft(lead, change_type=ChangeType.COMPLIANCE_UPDATE))
    both = UserFactory(username="dpo-and-legal", roles=[roles.LEGAL_COUNSEL, roles.DPO])
    url = reverse("compliance:approvals")
    html = client_for(both).get(url).content.decode()
    assert "you are asked as DPO or Legal Counsel</dd>" in html
    legal = signer(roles.LEGAL_COUNSEL, codes=("l-1",))
    approve(version, legal, roles.LEGAL_COUNSEL, "l-1")
    html = client_for(both).get(url).content.decode()
    assert "you are asked as DPO</dd>" in html


def test_the_inbox_pages_what_waits_oldest_first_with_the_count(client_for, lead):
    _documents(lead, 21, submit=True)
    client = client_for(signer(roles.DPO))
    url = reverse("compliance:approvals")
    first = client.get(url).content.decode()
    assert first.count('data-testid="waiting-change"') == 20
    assert "21 in all" in first and "Page 1 of 2" in first
    assert first.index("DR-Q-000 ") < first.index("DR-Q-019 ")
    assert "DR-Q-020 " not in first
    second = client.get(url + "?page=2").content.decode()
    assert second.count('data-testid="waiting-change"') == 1
    assert "DR-Q-020 " in second and "21 in all" in second


def _published_then_changed(lead, in_review):
    """`in_review` published, then a contact update of its Contacts section in review."""
    em, dpo = signer(roles.ENGINEERING_MANAGER, codes=("em-1",)), signer(roles.DPO, codes=("d-1",))
    approve(in_review, em, roles.ENGINEERING_MANAGER, "em-1")
    approve(in_review, dpo, roles.DPO, "d-1")
    services.version_publish(actor=lead, version=in_review)
    draft = services.change_open(
        actor=lead,
        document=in_review.document,
        change_type=ChangeType.PROCEDURE_UPDATE,
        reason="New number",
    )
    key = _key(draft.content, "Contacts")
    services.version_section_edit(
        actor=lead, version=draft, key=key, text="## 1. Contacts\nCall Ana.\n", shown_sha256=""
    )
    return submitted(lead, draft)


def test_the_inbox_offers_each_change_s_diff_in_place_and_as_a_link(client_for, lead, in_review):
    draft = _published_then_changed(lead, in_review)
    response = client_for(signer(roles.DPO)).get(reverse("compliance:approvals"))
    html = response.content.decode()
    query = f"?from={in_review.pk}&amp;to={draft.pk}"
    assert f'hx-get="{reverse("compliance:diff-sections")}{query}"' in html
    assert f'href="{reverse("compliance:diff")}{query}"' in html  # without script
    assert "Show the changes" in html
    # The inbox itself computes no diff: it stays as fast as before.
    assert "diff-summary" not in html


def test_the_diff_sections_fragment_is_the_diff_page_s_part_alone(client_for, lead, in_review):
    draft = _published_then_changed(lead, in_review)
    url = f"{reverse('compliance:diff-sections')}?from={in_review.pk}&to={draft.pk}"
    response = client_for(signer(roles.DPO)).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<nav" not in html
    assert "1 section changed" in html
    assert 'data-status="changed"' in html
    assert "Call Ana." in html and "Call the on-call engineer first." in html
    assert f">{in_review.label}</th>" in html and f">{draft.label}</th>" in html


def test_the_diff_sections_fragment_refuses_the_outsider(client_for, personas, lead, in_review):
    url = f"{reverse('compliance:diff-sections')}?from={in_review.pk}&to={in_review.pk}"
    assert client_for(personas["outsider"]).get(url).status_code == 403


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("", "from"),
        ("from=abc&to=1", "from"),
        ("from={v}&to=99999999", "to"),
        ("from={v}&to={other}", "to"),
    ],
)
def test_bad_diff_sections_parameters_answer_a_400_fragment_naming_the_parameter(
    client_for, lead, query, parameter
):
    version = document_with_draft(lead)
    other = document_with_draft(lead, doc_id="DR-OTHER-2")
    url = reverse("compliance:diff-sections") + "?" + query.format(v=version.pk, other=other.pk)
    response = client_for(lead).get(url)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-parameter="{parameter}"' in html
    assert f"“{parameter}”" in html
    assert "<html" not in html


# --- pinned query counts ---------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _documents(lead, n: int, start: int = 0, submit: bool = False) -> None:
    for i in range(start, start + n):
        version = document_with_draft(lead, doc_id=f"DR-Q-{i:03}")
        if submit:
            submitted(lead, version)


def test_the_list_reads_a_constant_number_of_queries(client_for, lead):
    client = client_for(lead)
    url = reverse("compliance:document-list")
    _documents(lead, 3)
    few = _queries(client, url)
    _documents(lead, 27, start=3)
    assert _queries(client, url) == few == LIST_QUERIES


def test_the_inbox_reads_a_constant_number_of_queries(client_for, lead):
    client = client_for(signer(roles.DPO))
    url = reverse("compliance:approvals")
    _documents(lead, 3, submit=True)
    few = _queries(client, url)
    _documents(lead, 27, start=3, submit=True)
    assert _queries(client, url) == few == INBOX_QUERIES


def test_the_version_list_reads_a_constant_number_of_queries(client_for, lead):
    client = client_for(lead)
    version = document_with_draft(lead)
    document = version.document
    url = reverse("compliance:document-detail", args=[document.pk])

    def more(n):
        nonlocal version
        for _ in range(n):
            services.change_withdraw(actor=lead, change=version.change, reason="Again")
            version = services.change_open(
                actor=lead, document=document, change_type=ChangeType.CONTACT_UPDATE
            )

    more(2)
    few = _queries(client, url)
    more(17)  # 20 versions: the page is full
    assert _queries(client, url) == few == VERSION_LIST_QUERIES


# Session, user, permissions and roles, then the page's own reads.
LIST_QUERIES = 8  # the organisation day is read only for state=review_due
# 11 before: the organisation's day is read once, not again for the template, and the
# first page of what waits carries its count (no separate count).
INBOX_QUERIES = 9
# 12, then 11: the page of versions carries their count; 10: the published and the open
# version are one read; 9: that read brings the document too.
VERSION_LIST_QUERIES = 9


def _published_with_a_contact_update(lead, in_review, *, reason: str = ""):
    """`in_review` approved by the Engineering Manager and the DPO and published, and a
    contact update opened on its document: (the published version, the open draft)."""
    em, dpo = signer(roles.ENGINEERING_MANAGER, codes=("em-1",)), signer(roles.DPO, codes=("d-1",))
    approve(in_review, em, roles.ENGINEERING_MANAGER, "em-1")
    approve(in_review, dpo, roles.DPO, "d-1")
    published = services.version_publish(actor=lead, version=in_review)
    extra = {"reason": reason} if reason else {}
    draft = services.change_open(
        actor=lead, document=published.document, change_type=ChangeType.CONTACT_UPDATE, **extra
    )
    return published, draft


def test_the_document_page_shows_the_published_text_and_the_open_change_together(
    client_for, lead, in_review
):
    published, draft = _published_with_a_contact_update(
        lead, in_review, reason="A new number for the on-call engineer"
    )
    html = client_for(lead).get(reverse("compliance:document-detail", args=[draft.document_id]))
    html = html.content.decode()
    control = html.split('data-testid="document-control"', 1)[1].split("</dl>", 1)[0]
    assert f">{published.label}</a>" in control
    card = html.split('data-testid="open-change"', 1)[1].split("</div></div>", 1)[0]
    assert reverse("compliance:version-detail", args=[draft.pk]) in card
    assert "Contact update by" in card and "A new number for the on-call engineer" in card
    content = html.split('data-testid="runbook-content"', 1)[1]
    assert "Call the on-call engineer first." in content


def test_the_version_list_names_each_version_s_status_change_author_and_publisher(
    client_for, lead, in_review
):
    published, draft = _published_with_a_contact_update(lead, in_review)
    html = client_for(lead).get(reverse("compliance:document-detail", args=[draft.document_id]))
    table = html.content.decode().split('data-testid="version-list"', 1)[1].split("</table>")[0]
    rows = table.split("<tr>")[2:]  # after the header's row
    assert len(rows) == 2
    name = escape(lead.get_full_name())  # a generated name may hold an apostrophe
    assert name
    newest, older = rows
    assert f">{draft.label}</a>" in newest and ">Draft</span>" in newest
    assert "<td>Contact update</td>" in newest and f"<td>{name}</td>" in newest
    assert "<td>—</td>" in newest
    assert f">{published.label}</a>" in older and ">Published</span>" in older
    assert "<td>Procedure update</td>" in older and f"by {name}</td>" in older


def test_a_runbook_with_neither_a_published_nor_an_open_version_still_has_its_page(
    client_for, lead
):
    version = document_with_draft(lead)
    services.change_withdraw(actor=lead, change=version.change, reason="Not needed")
    client = client_for(lead)
    response = client.get(reverse("compliance:document-detail", args=[version.document_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing published yet" in html and 'data-testid="open-change"' not in html
    assert "Propose a change" in html  # no change is open: the author may open one
    assert version.label in html.split('data-testid="version-list"', 1)[1]
    missing = reverse("compliance:document-detail", args=[version.document_id + 1000])
    assert client.get(missing).status_code == 404


def test_the_sign_page_offers_the_decision_as_labelled_radio_buttons(client_for, in_review):
    version = in_review
    html = (
        client_for(signer(roles.DPO))
        .get(reverse("compliance:change-sign", args=[version.change.pk]))
        .content.decode()
    )
    assert 'role="radiogroup"' in html
    assert 'type="radio"' in html and "form-check-input" in html
    assert not re.search(r'<input type="radio"[^>]*form-control', html)
    assert "form-check-label" in html


def test_the_document_page_offers_the_published_versions_pdf(client_for, lead, in_review):
    em, dpo = signer(roles.ENGINEERING_MANAGER, codes=("em-1",)), signer(roles.DPO, codes=("d-1",))
    approve(in_review, em, roles.ENGINEERING_MANAGER, "em-1")
    approve(in_review, dpo, roles.DPO, "d-1")
    version = services.version_publish(actor=lead, version=in_review)
    html = (
        client_for(lead)
        .get(reverse("compliance:document-detail", args=[version.document_id]))
        .content.decode()
    )
    assert reverse("compliance:version-pdf", args=[version.pk]) in html
