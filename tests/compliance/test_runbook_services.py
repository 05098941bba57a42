"""The runbook services around signing: import, labels, notifications, publishing,
withdrawal, reviews and the limits."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from bcp_portal.core import signing
from bcp_portal.core.models import OutboxMessage, SignOff
from compliance import services
from compliance.markdown import sections
from compliance.models import MAX_CONTENT_CHARS, ChangeType, RunbookDocument, RunbookVersion
from tests.compliance.factories import (
    PASSWORD,
    SMALL_RUNBOOK,
    approve,
    document_with_draft,
    signer,
    submitted,
)
from tests.factories import UserFactory
from tests.twofactor import give_two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    user = UserFactory(username="lead", roles=["SRE Lead"])
    give_two_factor(user, backup_codes=("90000001", "90000002"))
    return user


def published(lead, text=SMALL_RUNBOOK, doc_id="DR-TEST-001"):
    version = submitted(lead, document_with_draft(lead, text=text, doc_id=doc_id))
    approve(version, signer("Engineering Manager", codes=("1", "2")), "Engineering Manager", "1")
    approve(version, signer("DPO", codes=("3", "4")), "DPO", "3")
    return services.version_publish(actor=lead, version=version)


def test_the_import_reads_the_document_control_block_and_labels_the_version_by_month(lead):
    with time_machine.travel(dt.datetime(2027, 3, 5, 12, tzinfo=dt.UTC)):
        version = document_with_draft(lead, doc_id="")
    document = version.document
    assert document.doc_id == "DR-TEST-001"
    assert document.title == "Recovery Runbook"
    assert document.owner == "SRE Team"
    assert document.classification == "confidential"
    assert version.label == "2027.03.1"
    assert version.status == RunbookVersion.Status.DRAFT


def test_a_file_without_a_document_id_asks_for_one(lead):
    with pytest.raises(ValidationError) as exc:
        services.document_import(
            actor=lead, text="# Title\n\nBody\n", change_type=ChangeType.CONTACT_UPDATE
        )
    assert "doc_id" in exc.value.message_dict


def test_an_sre_may_propose_changes_but_not_import_a_new_document(lead):
    sre = UserFactory(username="sre", roles=["SRE"])
    with pytest.raises(PermissionDenied):
        document_with_draft(sre)
    version = published(lead)
    draft = services.change_open(
        actor=sre, document=version.document, change_type=ChangeType.CONTACT_UPDATE
    )
    assert draft.change.author == sre
    assert draft.content == version.content


def test_submitting_asks_each_required_role_through_the_outbox(lead):
    version = submitted(lead, document_with_draft(lead))
    asked = OutboxMessage.objects.filter(dedup_key__contains=":ask:")
    assert sorted(m.to_role.name for m in asked) == ["DPO", "Engineering Manager"]
    assert all(version.label in m.subject for m in asked)


def test_an_edit_in_review_asks_the_roles_again_in_a_new_round(lead):
    version = submitted(lead, document_with_draft(lead))
    key = next(s.key for s in sections(version.content) if "Contacts" in s.title)
    services.version_section_edit(
        actor=lead,
        version=version,
        key=key,
        text="## 1. Contacts\nPage the IC.\n",
        shown_sha256=version.content_sha256,
    )
    assert OutboxMessage.objects.filter(dedup_key__contains=":ask:").count() == 4


def test_a_stale_editor_is_refused_and_nothing_is_saved(lead):
    version = document_with_draft(lead)
    key = next(s.key for s in sections(version.content) if "Contacts" in s.title)
    with pytest.raises(ValidationError, match="changed since you opened the editor"):
        services.version_section_edit(
            actor=lead, version=version, key=key, text="## 1. Contacts\nx\n", shown_sha256="0" * 64
        )
    version.refresh_from_db()
    assert "on-call engineer" in version.content


def test_only_the_author_edits_a_change(lead):
    version = document_with_draft(lead)
    other = UserFactory(username="other", roles=["SRE Lead"])
    with pytest.raises(PermissionDenied, match="Only its author"):
        services.version_content_replace(actor=other, version=version, content="# x\n")


def test_submitting_without_a_reason_or_without_a_change_is_refused(lead):
    version = published(lead)
    draft = services.change_open(
        actor=lead, document=version.document, change_type=ChangeType.CONTACT_UPDATE
    )
    with pytest.raises(ValidationError) as exc:
        services.change_submit(actor=lead, change=draft.change)
    assert set(exc.value.message_dict) == {"reason", "content"}


def test_a_second_open_change_of_the_same_document_is_refused(lead):
    version = document_with_draft(lead)
    with pytest.raises(ValidationError, match="already has an open change"):
        services.change_open(
            actor=lead, document=version.document, change_type=ChangeType.CONTACT_UPDATE
        )


def test_publishing_supersedes_the_published_version(lead):
    first = published(lead)
    draft = services.change_open(
        actor=lead,
        document=first.document,
        change_type=ChangeType.CONTACT_UPDATE,
        reason="New on-call number",
    )
    key = next(s.key for s in sections(draft.content) if "Contacts" in s.title)
    services.version_section_edit(
        actor=lead,
        version=draft,
        key=key,
        text="## 1. Contacts\nCall +353 1 555 0199.\n",
        shown_sha256=draft.content_sha256,
    )
    services.change_submit(actor=lead, change=draft.change)
    draft.change.refresh_from_db()
    assert draft.change.sections_touched == ["1. Contacts"]
    # A contact update needs the SRE Lead: someone other than the author.
    approve(draft, signer("SRE Lead", username="lead2", codes=("5",)), "SRE Lead", "5")
    services.version_publish(actor=lead, version=draft)
    first.refresh_from_db()
    draft.refresh_from_db()
    assert first.status == RunbookVersion.Status.SUPERSEDED
    assert first.superseded_at is not None
    assert draft.status == RunbookVersion.Status.PUBLISHED
    assert draft.label.endswith(".2")


def test_a_withdrawn_change_voids_its_signatures_and_frees_the_document(lead):
    version = submitted(lead, document_with_draft(lead))
    approve(version, signer("DPO", codes=("3",)), "DPO", "3")
    with pytest.raises(ValidationError):
        services.change_withdraw(actor=lead, change=version.change, reason="  ")
    services.change_withdraw(actor=lead, change=version.change, reason="Wrong document")
    version.refresh_from_db()
    assert version.status == RunbookVersion.Status.WITHDRAWN
    assert not signing.valid_approvals(version.change).exists()
    services.change_open(
        actor=lead, document=version.document, change_type=ChangeType.CONTACT_UPDATE
    )


def test_a_recorded_review_is_signed_and_moves_the_next_review_by_the_cadence(lead):
    version = published(lead)
    document = version.document
    reviewer = signer("CTO", codes=("7",))
    with time_machine.travel(dt.datetime(2027, 1, 31, 9, tzinfo=dt.UTC)):
        signoff = services.review_record(
            actor=reviewer,
            document=document,
            role="CTO",
            comment="Still right.",
            shown_hash=signing.subject_hash(document),
            password=PASSWORD,
            code="7",
        )
    document.refresh_from_db()
    assert signoff.decision == SignOff.Decision.REVIEWED
    assert document.last_reviewed_on == dt.date(2027, 1, 31)
    assert document.next_review == dt.date(2027, 7, 31)  # semi-annual
    assert document.history.first().history_user == reviewer


def test_a_review_of_a_document_with_nothing_published_is_refused(lead):
    version = document_with_draft(lead)
    reviewer = signer("CTO", codes=("7",))
    with pytest.raises(ValidationError, match="Nothing is published"):
        services.review_record(
            actor=reviewer,
            document=version.document,
            role="CTO",
            comment="",
            shown_hash=signing.subject_hash(version.document),
            password=PASSWORD,
            code="7",
        )


def test_content_over_the_limit_is_refused_with_the_limit_stated(lead):
    version = document_with_draft(lead)
    with pytest.raises(ValidationError, match=f"{MAX_CONTENT_CHARS:,}"):
        services.version_content_replace(
            actor=lead, version=version, content="x" * (MAX_CONTENT_CHARS + 1)
        )


def test_every_write_keeps_history_with_its_actor(lead):
    version = submitted(lead, document_with_draft(lead))
    assert RunbookDocument.history.filter(history_user=lead).exists()
    assert version.history.filter(status="in_review", history_user=lead).exists()
    assert version.change.history.filter(history_user=lead).count() >= 2


def test_the_default_matrix_is_loaded_after_migrate_and_never_overwrites_an_edit():
    from compliance.matrix import approval_matrix_defaults_load
    from compliance.models import ApprovalRule

    rule = ApprovalRule.objects.get(change_type=ChangeType.CONTACT_UPDATE)
    assert rule.required_roles == ["SRE Lead"]
    rule.required_roles = ["CTO"]
    rule.save()
    ApprovalRule.objects.get(change_type=ChangeType.STRATEGY_CHANGE).delete()
    assert approval_matrix_defaults_load() == 1
    assert ApprovalRule.objects.get(change_type=ChangeType.CONTACT_UPDATE).required_roles == ["CTO"]
    restored = ApprovalRule.objects.get(change_type=ChangeType.STRATEGY_CHANGE)
    assert restored.required_roles == ["CTO", "Legal Counsel"]
    assert restored.history.first().history_source == "command"


def test_a_person_without_a_role_is_not_named_to_be_reminded_of_reviews(lead):
    document = document_with_draft(lead).document
    nobody = UserFactory(username="nobody", first_name="No", last_name="Body")
    with pytest.raises(ValidationError) as exc:
        services.document_update(actor=lead, document=document, owner_user=nobody)
    assert "holds no role" in exc.value.message_dict["owner_user"][0]
    document.refresh_from_db()
    assert document.owner_user is None
    services.document_update(actor=lead, document=document, owner_user=lead)
    document.refresh_from_db()
    assert document.owner_user == lead


def test_an_unknown_section_is_refused_on_the_key_naming_the_sections_there_are(lead):
    version = document_with_draft(lead)
    with pytest.raises(ValidationError) as exc:
        services.version_section_edit(
            actor=lead, version=version, key="s99", text="## X\n", shown_sha256=""
        )
    assert "s1" in exc.value.message_dict["key"][0]
