"""The dashboard's runbook panels: waiting for your approval, and reviews due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.urls import NoReverseMatch, reverse

from bcp_portal.catalogue.selectors import organisation_today
from bcp_portal.dashboard import PANELS
from compliance import panels, services
from compliance.models import ApprovalRule, RunbookDocument
from tests.compliance.factories import (
    SMALL_RUNBOOK,
    approve,
    document_with_draft,
    signer,
    submitted,
)
from tests.conftest import make_persona
from tests.dashboard import dashboard_load
from tests.factories import UserFactory
from tests.twofactor import give_two_factor

pytestmark = pytest.mark.django_db


def _sign_route_exists() -> bool:
    try:
        reverse("compliance:change-sign", args=[1])
    except NoReverseMatch:
        return False
    return True


# The sign page is the pages' work (compliance:change-sign); until it is merged, a panel
# that lists a change cannot link it.
needs_sign_route = pytest.mark.skipif(
    not _sign_route_exists(), reason="compliance:change-sign comes with the runbook pages"
)


@pytest.fixture
def author():
    user = UserFactory(username="author", roles=["SRE Lead"])
    give_two_factor(user)
    return user


def in_review(author, n: int):
    text = SMALL_RUNBOOK.replace("DR-TEST-001", f"DR-PANEL-{n:03d}")
    return submitted(author, document_with_draft(author, text=text, doc_id=f"DR-PANEL-{n:03d}"))


def test_both_panels_are_on_the_dashboard_list():
    assert "compliance.panels.approvals_panel" in PANELS
    assert "compliance.panels.reviews_due_panel" in PANELS


@pytest.mark.parametrize("name", ["auditor", "outsider"])
def test_someone_who_never_signs_sees_neither_panel(name):
    user = make_persona(name)
    assert panels.approvals_panel(user) is None
    assert panels.reviews_due_panel(user) is None


def test_an_sre_sees_the_approvals_panel_only_once_the_matrix_names_their_role():
    user = make_persona("sre")
    assert panels.approvals_panel(user) is None
    assert panels.reviews_due_panel(user) is None
    rule = ApprovalRule.objects.get(change_type="contact_update")
    rule.required_roles = ["SRE Lead", "SRE"]
    rule.save()
    assert panels.approvals_panel(user) is not None


def test_an_approver_with_nothing_waiting_sees_the_empty_state_and_the_inbox(client_for):
    user = make_persona("dpo")
    response = dashboard_load(client_for(user))
    assert response.status_code == 200
    body = response.html
    assert "Waiting for your approval" in body
    assert "No runbook change waits for your approval." in body
    assert reverse("compliance:approvals") in body
    assert "No runbook review is overdue or due in the next 14 days." in body


@needs_sign_route
def test_a_change_in_review_is_listed_for_each_required_role_with_a_link_to_sign_it(author):
    version = in_review(author, 1)
    manager = make_persona("engmgr")
    panel = panels.approvals_panel(manager)
    assert panel.context["count"] == 1
    [item] = panel.context["changes"]
    assert item.label == version.label and item.roles == ("Engineering Manager",)
    assert item.url == reverse("compliance:change-sign", args=[version.change.pk])
    # The CTO is not asked for a procedure update; the author never signs their own.
    assert panels.approvals_panel(make_persona("cto")).context["count"] == 0
    assert panels.approvals_panel(author).context["count"] == 0


@needs_sign_route
def test_an_approval_given_takes_the_change_off_the_approvers_panel(author):
    version = in_review(author, 1)
    manager = signer("Engineering Manager", codes=("22222222",))
    assert panels.approvals_panel(manager).context["count"] == 1
    approve(version, manager, "Engineering Manager", "22222222")
    assert panels.approvals_panel(manager).context["count"] == 0
    assert panels.approvals_panel(make_persona("dpo")).context["count"] == 1


@needs_sign_route
def test_the_approvals_panel_shows_five_and_counts_them_all_in_a_fixed_number_of_queries(
    author, django_assert_num_queries
):
    manager = make_persona("engmgr")
    in_review(author, 1)
    # Permissions with the roles (one query, read once per request), the roles the approval
    # matrix asks for (who sees the panel: the dashboard's frame asks this alone, so it
    # lists no box that would then be empty), then one read of what waits: the count and
    # the rows shown (was 4: the count and the list were two reads; then 3: the roles were
    # read before the permissions, in a query of their own; then 2, the matrix's roles read
    # only when nothing waited).
    fresh = User.objects.get(pk=manager.pk)
    with django_assert_num_queries(3):
        panels.approvals_panel(fresh)
    for n in range(2, 8):
        in_review(author, n)
    fresh = User.objects.get(pk=manager.pk)
    with django_assert_num_queries(3):
        panel = panels.approvals_panel(fresh)
    assert panel.context["count"] == 7
    assert len(panel.context["changes"]) == 5 and panel.context["more"]


@needs_sign_route
def test_a_change_waiting_for_two_of_the_users_roles_counts_once_and_names_both(author):
    both = UserFactory(username="both", roles=["Engineering Manager", "DPO"])
    for n in range(1, 8):
        in_review(author, n)
    panel = panels.approvals_panel(both)
    assert panel.context["count"] == 7
    assert len(panel.context["changes"]) == 5 and panel.context["more"]
    assert all(c.roles == ("Engineering Manager", "DPO") for c in panel.context["changes"])
    assert panel.context["changes"][0].change_type == "Procedure update"


def _published(author, n: int, next_review: dt.date) -> RunbookDocument:
    version = in_review(author, n)
    manager = signer("Engineering Manager", username=f"em-{n}", codes=(f"2222{n:04d}",))
    dpo = signer("DPO", username=f"dpo-{n}", codes=(f"3333{n:04d}",))
    approve(version, manager, "Engineering Manager", f"2222{n:04d}")
    approve(version, dpo, "DPO", f"3333{n:04d}")
    services.version_publish(actor=author, version=version)
    document = RunbookDocument.objects.get(pk=version.document_id)
    return services.document_update(actor=author, document=document, next_review=next_review)


def test_reviews_overdue_or_due_within_two_weeks_are_listed_oldest_first(
    author, django_assert_num_queries
):
    today = organisation_today()
    overdue = _published(author, 1, today - dt.timedelta(days=3))
    soon = _published(author, 2, today + dt.timedelta(days=10))
    _published(author, 3, today + dt.timedelta(days=30))  # not yet
    in_review(author, 4)  # nothing published: no review
    user = make_persona("legal")
    # Roles, permissions, the organisation's profile ("today"), the documents.
    with django_assert_num_queries(4):
        panel = panels.reviews_due_panel(user)
    rows = panel.context["rows"]
    assert [(r.document.pk, r.overdue) for r in rows] == [(overdue.pk, True), (soon.pk, False)]
    assert rows[0].url == reverse("compliance:document-detail", args=[overdue.pk])
    assert panel.context["list_url"].endswith("?state=review_due")
