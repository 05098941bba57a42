"""The PDF of a runbook version: document control, the runbook, and the sign-off page."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from bcp_portal.core import signing
from bcp_portal.core.models import TaskProgress
from compliance import reports, services
from tests.compliance.factories import approve, document_with_draft, signer, submitted
from tests.factories import UserFactory
from tests.twofactor import give_two_factor

pytestmark = pytest.mark.django_db

RUNBOOK = """# Payments Recovery Runbook
**Document ID**: DR-PDF-001
**Owner**: Payments SRE
**Classification**: Internal/Confidential

## 1. Who to call
| Role | Name | Phone |
|------|------|-------|
| Incident commander | On-call lead | +353 1 555 0199 |

## 2. Fail over the ledger database
```bash
# promote the replica (not a heading)
pg_ctl promote -D /var/lib/postgresql/16/replica
```

## 3. Confirm
- [ ] Payments accepted again
"""


@pytest.fixture
def author():
    user = UserFactory(username="author", roles=["SRE Lead"], first_name="Ann", last_name="Author")
    give_two_factor(user)
    return user


@pytest.fixture
def published(author):
    version = submitted(author, document_with_draft(author, text=RUNBOOK, doc_id="DR-PDF-001"))
    manager = signer("Engineering Manager", codes=("22222222",))
    manager.first_name, manager.last_name = "Ravi", "Menon"
    manager.save()
    dpo = signer("DPO", codes=("33333333",))
    dpo.first_name, dpo.last_name = "Dara", "Kelly"
    dpo.save()
    approve(version, manager, "Engineering Manager", "22222222")
    approve(version, dpo, "DPO", "33333333")
    publisher = UserFactory(username="publisher", roles=["SRE Lead"])
    services.version_publish(actor=publisher, version=version)
    return version


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_the_sign_off_page_lists_both_approvers_with_role_and_the_content_hash(
    published, client_for
):
    response = client_for(UserFactory(roles=["Auditor"])).get(
        reverse("compliance:version-pdf", args=[published.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    label = published.label
    assert f'filename="DR-PDF-001_{label}.pdf"' in response["Content-Disposition"]
    pages = pdf_pages(b"".join(response.streaming_content))
    last = pages[-1]
    assert "Sign-off" in last
    assert "Ravi Menon" in last and "Engineering Manager" in last
    assert "Dara Kelly" in last and "DPO" in last
    change_hash = signing.subject_hash(published.change)
    # A hash may wrap across lines in the extracted text.
    assert change_hash in last.replace("\n", "")
    assert "canonical form v1" in last
    assert "Procedure update" in last
    assert "Engineering Manager and DPO" in last  # the rule
    assert "NOT APPROVED" not in "".join(pages)


def test_the_pdf_holds_the_document_control_a_heading_and_each_code_line(published, client_for):
    published.refresh_from_db()
    pdf = reports.version_pdf_bytes(reports.version_queryset().get(pk=published.pk))
    text = "\n".join(pdf_pages(pdf))
    assert "DR-PDF-001" in text
    assert "Payments Recovery Runbook" in text
    assert "Fail over the ledger database" in text
    assert "pg_ctl promote -D /var/lib/postgresql/16/replica" in text
    assert "# promote the replica (not a heading)" in text
    assert "Incident commander" in text  # a table cell
    assert "Published" in text and published.label in text


def test_a_version_in_review_is_marked_not_approved_and_lists_the_roles_it_waits_for(
    author, client_for
):
    version = submitted(author, document_with_draft(author, text=RUNBOOK, doc_id="DR-PDF-002"))
    response = client_for(author).get(reverse("compliance:version-pdf", args=[version.pk]))
    assert response.status_code == 200
    pages = pdf_pages(b"".join(response.streaming_content))
    assert all("NOT APPROVED" in page for page in pages)
    assert "In review" in pages[0]
    assert "Waiting for: Engineering Manager, DPO." in pages[-1]
    assert "No valid approval." in pages[-1]


def test_someone_without_a_role_cannot_download_a_version(published, client_for):
    response = client_for(UserFactory(username="nobody")).get(
        reverse("compliance:version-pdf", args=[published.pk])
    )
    assert response.status_code == 403


def test_a_version_too_long_for_the_request_is_offered_to_a_worker_and_a_get_starts_nothing(
    author, client_for, monkeypatch
):
    version = document_with_draft(author, text=RUNBOOK, doc_id="DR-PDF-003")
    monkeypatch.setattr(reports, "RUNBOOK_PDF_DIRECT_MAX_CHARS", 100)
    response = client_for(author).get(reverse("compliance:version-pdf", args=[version.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "Prepare the PDF" in body
    assert f"({len(version.content)} characters of Markdown)" in body
    assert reverse("compliance:version-detail", args=[version.pk]) in body
    assert not TaskProgress.objects.exists()


def test_a_long_published_version_gets_its_pdf_with_the_sign_off_page_from_the_exports_queue(
    published, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(reports, "RUNBOOK_PDF_DIRECT_MAX_CHARS", 100)
    client = client_for(UserFactory(roles=["Auditor"]))
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("compliance:version-pdf", args=[published.pk]))
    progress = TaskProgress.objects.get()
    assert started.status_code == 302 and started["Location"] == progress.get_absolute_url()
    progress.refresh_from_db()  # tasks run eagerly in the suite
    assert progress.status == TaskProgress.Status.DONE, progress.error
    assert progress.kind == reports.VERSION_EXPORT
    assert progress.result_name == f"DR-PDF-001_{published.label}.pdf"
    download = client.get(reverse("task-download", args=[progress.pk]))
    assert download.status_code == 200
    last = pdf_pages(b"".join(download.streaming_content))[-1]
    assert "Sign-off" in last and "Ravi Menon" in last and "Dara Kelly" in last
    assert signing.subject_hash(published.change) in last.replace("\n", "")


def test_the_pdf_reads_a_fixed_number_of_queries_whatever_the_approvals(
    published, django_assert_max_num_queries
):
    # The version (with document, change and people), its required roles, its approvals
    # (was 4: the required roles were read twice).
    with django_assert_max_num_queries(3):
        version = reports.version_queryset().get(pk=published.pk)
        reports.version_document(version)
