"""Separation of duties and the content hash: every rule of the signing service, through
the runbook change it signs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from bcp_portal.core import signing
from bcp_portal.core.models import AccountEvent, SignOff
from compliance import services
from compliance.markdown import sections
from compliance.models import ApprovalRule, ChangeType, RunbookVersion
from compliance.signables import review_hash_of
from tests.compliance.factories import (
    PASSWORD,
    approve,
    document_with_draft,
    signer,
    submitted,
)
from tests.factories import UserFactory
from tests.twofactor import give_two_factor, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    user = UserFactory(username="author", roles=["SRE Lead"])
    give_two_factor(user, backup_codes=("11111111",))
    return user


@pytest.fixture
def in_review(author):
    return submitted(author, document_with_draft(author))


@pytest.fixture
def manager():
    return signer("Engineering Manager", codes=("22222222", "22222223"))


@pytest.fixture
def dpo():
    return signer("DPO", codes=("33333333", "33333334"))


def sign(
    version, user, role, code, *, decision="approve", comment="", shown=None, password=PASSWORD
):
    change = version.change
    return services.change_sign(
        actor=user,
        change=change,
        role=role,
        decision=decision,
        comment=comment,
        shown_hash=shown if shown is not None else signing.subject_hash(change),
        password=password,
        code=code,
    )


def test_a_submitted_procedure_update_needs_the_engineering_manager_and_the_dpo(in_review):
    assert in_review.status == RunbookVersion.Status.IN_REVIEW
    assert signing.missing_roles(in_review.change) == ["Engineering Manager", "DPO"]


def test_both_approvals_make_the_version_approved_and_publishable(in_review, manager, dpo):
    approve(in_review, manager, "Engineering Manager", "22222222")
    in_review.refresh_from_db()
    assert in_review.status == RunbookVersion.Status.IN_REVIEW
    approve(in_review, dpo, "DPO", "33333333")
    in_review.refresh_from_db()
    assert in_review.status == RunbookVersion.Status.APPROVED
    publisher = UserFactory(username="lead", roles=["SRE Lead"])
    services.version_publish(actor=publisher, version=in_review)
    in_review.refresh_from_db()
    assert in_review.status == RunbookVersion.Status.PUBLISHED


def test_the_author_cannot_sign_their_own_change(author, in_review):
    author.groups.add(Group.objects.get(name="DPO"))
    author = type(author).objects.get(pk=author.pk)
    with pytest.raises(ValidationError, match="separation of duties"):
        sign(in_review, author, "DPO", "11111111")
    assert not SignOff.objects.exists()


def test_one_person_cannot_fill_two_roles_on_the_same_change(in_review):
    both = signer("DPO", username="both", codes=("44444441", "44444442"))
    both.groups.add(Group.objects.get(name="Engineering Manager"))
    both = type(both).objects.get(pk=both.pk)
    sign(in_review, both, "DPO", "44444441")
    with pytest.raises(ValidationError, match="cannot fill two roles"):
        sign(in_review, both, "Engineering Manager", "44444442")
    assert SignOff.objects.count() == 1


def test_an_edit_after_a_signature_voids_it_and_asks_again(author, in_review, manager):
    approve(in_review, manager, "Engineering Manager", "22222222")
    key = next(s.key for s in sections(in_review.content) if "Contacts" in s.title)
    services.version_section_edit(
        actor=author,
        version=in_review,
        key=key,
        text="## 1. Contacts\nCall the incident commander first.\n",
        shown_sha256="",
    )
    signoff = SignOff.objects.get()
    assert signoff.voided_at is not None
    assert signing.missing_roles(in_review.change) == ["Engineering Manager", "DPO"]
    in_review.change.refresh_from_db()
    assert in_review.change.review_round == 2


def test_changing_the_change_type_after_a_signature_voids_it(author, in_review, manager):
    approve(in_review, manager, "Engineering Manager", "22222222")
    services.change_update(
        actor=author, change=in_review.change, change_type=ChangeType.COMPLIANCE_UPDATE
    )
    assert SignOff.objects.get().voided_at is not None
    assert signing.missing_roles(in_review.change) == ["DPO", "Legal Counsel"]


def test_publishing_before_every_approval_is_refused(in_review, manager):
    approve(in_review, manager, "Engineering Manager", "22222222")
    publisher = UserFactory(username="lead", roles=["SRE Lead"])
    with pytest.raises(ValidationError, match="Only an approved version"):
        services.version_publish(actor=publisher, version=in_review)


def test_a_matrix_edit_leaves_a_change_in_review_untouched(in_review):
    rule = ApprovalRule.objects.get(change_type=ChangeType.PROCEDURE_UPDATE)
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    services.approval_rule_update(
        actor=admin, rule=rule, required_roles=["CTO"], implementation_lead="SRE Team"
    )
    assert signing.missing_roles(in_review.change) == ["Engineering Manager", "DPO"]


def test_a_wrong_password_is_refused_and_recorded(in_review, manager):
    with pytest.raises(ValidationError) as exc:
        sign(in_review, manager, "Engineering Manager", "22222222", password="wrong")
    assert "password" in exc.value.message_dict
    assert AccountEvent.objects.filter(user=manager, kind="reauth_failed").exists()
    assert not SignOff.objects.exists()


@pytest.mark.parametrize("code", ["", "000000", "not-a-code"])
def test_a_missing_or_wrong_code_is_refused(in_review, manager, code):
    with pytest.raises(ValidationError) as exc:
        sign(in_review, manager, "Engineering Manager", code)
    assert "otp_code" in exc.value.message_dict
    assert not SignOff.objects.exists()


def test_a_replayed_code_is_refused(in_review, manager, dpo):
    device = give_two_factor(manager)
    code = totp_code(device)
    sign(in_review, manager, "Engineering Manager", code)
    # The same code again (on another change's signature would be the same): refused.
    in_review.refresh_from_db()
    with pytest.raises(ValidationError):
        sign(in_review, manager, "Engineering Manager", code)


def test_a_role_less_user_is_refused(in_review):
    nobody = UserFactory(username="nobody")
    give_two_factor(nobody, backup_codes=("55555555",))
    with pytest.raises(PermissionDenied, match="you hold no role"):
        sign(in_review, nobody, "DPO", "55555555")


def test_a_signer_whose_page_showed_older_content_is_refused(in_review, manager):
    with pytest.raises(ValidationError, match="not the current content"):
        sign(in_review, manager, "Engineering Manager", "22222222", shown="0" * 64)


def test_a_rejection_returns_the_change_to_draft_with_the_comment(in_review, manager, dpo):
    approve(in_review, manager, "Engineering Manager", "22222222")
    sign(in_review, dpo, "DPO", "33333333", decision="reject", comment="Cite the legal basis.")
    in_review.refresh_from_db()
    assert in_review.status == RunbookVersion.Status.DRAFT
    assert in_review.change.rejection_comment == "Cite the legal basis."
    assert not signing.valid_approvals(in_review.change).exists()


def test_a_resubmitted_change_keeps_the_requirement_rows_of_roles_that_stay(author, in_review, dpo):
    before = dict(in_review.change.required.values_list("role", "pk"))
    sign(in_review, dpo, "DPO", "33333333", decision="reject", comment="Name the replica.")
    in_review.refresh_from_db()
    key = next(s.key for s in sections(in_review.content) if "Contacts" in s.title)
    services.version_section_edit(
        actor=author,
        version=in_review,
        key=key,
        text="## 1. Contacts\nPage the IC.\n",
        shown_sha256=in_review.content_sha256,
    )
    services.change_submit(actor=author, change=in_review.change)
    assert dict(in_review.change.required.values_list("role", "pk")) == before
    assert signing.missing_roles(in_review.change) == ["Engineering Manager", "DPO"]


def test_the_review_hash_a_page_computes_from_its_published_version_is_the_signed_one(
    author, in_review, manager, dpo
):
    document = in_review.document
    # Nothing published: the hash covers an empty version, as the signing service's does.
    assert review_hash_of(document, None) == signing.subject_hash(document)
    approve(in_review, manager, "Engineering Manager", "22222222")
    approve(in_review, dpo, "DPO", "33333333")
    published = services.version_publish(actor=author, version=in_review)
    assert review_hash_of(document, published) == signing.subject_hash(document)
    assert review_hash_of(document, published) != review_hash_of(document, None)
