"""Post-mortems: who starts one and when, the review states, signing, publishing, revisions."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bcp_portal.actions.models import Action
from bcp_portal.core import signing
from bcp_portal.core.models import OutboxMessage
from incidents.models import PostMortem
from incidents.services import postmortems
from incidents.services.lifecycle import incident_set_status
from tests.factories import UserFactory
from tests.incidents import factories as f

pytestmark = pytest.mark.django_db


def test_a_post_mortem_is_written_only_once_service_is_restored(sre):
    incident = f.declare(sre)
    with pytest.raises(ValidationError) as caught:
        postmortems.postmortem_start(actor=sre, incident=incident)
    assert "restore" in caught.value.message_dict["incident"][0].lower()
    incident_set_status(actor=sre, incident=incident, status="restored")
    postmortem = postmortems.postmortem_start(actor=sre, incident=incident)
    assert (postmortem.status, postmortem.revision, postmortem.author) == ("draft", 1, sre)
    assert postmortem.title == incident.title


def test_an_incident_takes_one_post_mortem_and_a_second_start_names_the_first(sre):
    postmortem = f.postmortem_draft(sre)
    with pytest.raises(postmortems.PostMortemExists) as caught:
        postmortems.postmortem_start(actor=sre, incident=postmortem.incident)
    assert f"/incidents/{postmortem.incident_id}/postmortem/" in str(caught.value)


def test_an_auditor_cannot_start_a_post_mortem(sre, auditor):
    incident = f.restored(sre)
    with pytest.raises(PermissionDenied):
        postmortems.postmortem_start(actor=auditor, incident=incident)


def test_another_sre_who_did_not_take_part_cannot_change_a_colleagues_draft(sre):
    postmortem = f.postmortem_draft(sre)
    other = UserFactory(roles=["SRE"])
    with pytest.raises(PermissionDenied):
        postmortems.postmortem_save(
            actor=other,
            postmortem=postmortem,
            data=postmortems.PostMortemData(fields={"summary": "x"}),
        )


def test_submitting_an_incomplete_draft_names_every_missing_section(sre):
    postmortem = f.postmortem_draft(sre)
    with pytest.raises(ValidationError) as caught:
        postmortems.postmortem_submit(actor=sre, postmortem=postmortem)
    assert {"summary", "impact", "root_cause", "lessons"} <= set(caught.value.message_dict)
    postmortem.refresh_from_db()
    assert postmortem.status == "draft"


def test_an_action_item_without_owner_or_due_date_stops_the_submission(sre):
    postmortem = f.postmortem_complete(sre, actions=[{"title": "Add a disk alert"}])
    with pytest.raises(ValidationError) as caught:
        postmortems.postmortem_submit(actor=sre, postmortem=postmortem)
    assert "owner and a due date" in caught.value.message_dict["actions"][0]


def test_submitting_sends_it_to_the_sre_lead_and_locks_the_text(sre):
    postmortem = f.postmortem_complete(sre)
    postmortems.postmortem_submit(actor=sre, postmortem=postmortem)
    postmortem.refresh_from_db()
    assert postmortem.status == "in_review"
    assert OutboxMessage.objects.filter(
        to_role__name="SRE Lead", subject__contains="review"
    ).exists()
    with pytest.raises(ValidationError, match="in review"):
        postmortems.postmortem_save(
            actor=sre,
            postmortem=postmortem,
            data=postmortems.PostMortemData(fields={"summary": "x"}),
        )


def test_the_author_cannot_sign_the_review_of_their_own_post_mortem():
    lead = f.lead_signer()
    postmortem = f.postmortem_complete(lead)
    postmortems.postmortem_submit(actor=lead, postmortem=postmortem)
    postmortem.refresh_from_db()
    with pytest.raises(ValidationError, match="separation of duties"):
        f.sign(postmortem, lead)


def test_an_sre_cannot_sign_a_review_only_the_sre_lead_can(sre):
    postmortem = f.postmortem_complete(sre)
    postmortems.postmortem_submit(actor=sre, postmortem=postmortem)
    postmortem.refresh_from_db()
    other = UserFactory(roles=["SRE"])
    with pytest.raises(PermissionDenied):
        f.sign(postmortem, other)


def test_a_rejection_needs_a_comment_and_sends_the_post_mortem_back_to_draft(sre):
    lead = f.lead_signer()
    postmortem = f.postmortem_complete(sre)
    postmortems.postmortem_submit(actor=sre, postmortem=postmortem)
    postmortem.refresh_from_db()
    with pytest.raises(ValidationError, match="Say why"):
        f.sign(postmortem, lead, decision="reject")
    signoff = f.sign(postmortem, lead, decision="reject", comment="The root cause is a guess.")
    postmortem.refresh_from_db()
    assert postmortem.status == "draft"
    assert signoff.comment == "The root cause is a guess."
    assert OutboxMessage.objects.filter(to_user=sre, subject__contains="rejected").exists()


def test_publishing_needs_the_sre_leads_approval_of_the_current_text(sre):
    lead = f.lead_signer()
    due = date(2026, 12, 15)
    postmortem = f.postmortem_complete(
        sre, actions=[{"title": "Alert on disk growth", "owner": sre, "due_date": due}]
    )
    with pytest.raises(ValidationError, match="approved"):
        postmortems.postmortem_publish(actor=sre, postmortem=postmortem)
    postmortems.postmortem_submit(actor=sre, postmortem=postmortem)
    postmortem.refresh_from_db()
    signoff = f.sign(postmortem, lead)
    postmortem.refresh_from_db()
    assert postmortem.status == "approved"
    assert signoff.content_sha256 == signing.subject_hash(postmortem)
    assert postmortem.actions.get().status == Action.Status.PROPOSED
    postmortems.postmortem_publish(actor=sre, postmortem=postmortem)
    postmortem.refresh_from_db()
    assert postmortem.status == "published" and postmortem.published_by == sre
    # Its action items go live in the one tracker.
    assert postmortem.actions.get().status == Action.Status.OPEN


def test_a_timeline_entry_added_after_the_approval_asks_for_a_new_review(sre):
    from incidents.services.lifecycle import timeline_add

    postmortem = f.postmortem_complete(sre)
    postmortems.postmortem_submit(actor=sre, postmortem=postmortem)
    postmortem.refresh_from_db()
    f.sign(postmortem, f.lead_signer())
    timeline_add(actor=sre, incident=postmortem.incident, event="Found a second cause")
    postmortem.refresh_from_db()
    with pytest.raises(ValidationError, match="changed since"):
        postmortems.postmortem_publish(actor=sre, postmortem=postmortem)


def test_a_published_post_mortem_changes_only_through_a_revision_with_a_reason(sre):
    postmortem = f.postmortem_published(sre)
    with pytest.raises(ValidationError, match="published"):
        postmortems.postmortem_save(
            actor=sre,
            postmortem=postmortem,
            data=postmortems.PostMortemData(fields={"summary": "x"}),
        )
    with pytest.raises(ValidationError) as caught:
        postmortems.postmortem_revise(actor=sre, postmortem=postmortem, reason="  ")
    assert "reason" in caught.value.message_dict
    revised = postmortems.postmortem_revise(
        actor=sre, postmortem=postmortem, reason="The vendor's report came in."
    )
    assert (revised.status, revised.revision) == ("draft", 2)
    assert not signing.valid_approvals(revised).exists()
    postmortems.postmortem_save(
        actor=sre,
        postmortem=revised,
        data=postmortems.PostMortemData(fields={"root_cause": "A vendor firmware bug."}),
    )
    # The published text of revision 1 stays in the history.
    old = revised.history.filter(revision=1, status="published").first()
    assert old is not None and old.root_cause == f.COMPLETE["root_cause"]
    assert revised.history.filter(history_change_reason__startswith="Revision 2").exists()


def test_a_published_post_mortem_takes_no_new_action(sre):
    from bcp_portal.actions.services import action_create

    postmortem = f.postmortem_published(sre)
    with pytest.raises(ValidationError, match="revision"):
        action_create(actor=sre, title="Late idea", source=postmortem)


def test_lessons_keep_their_category_and_order_and_a_removed_one_goes(sre):
    postmortem = f.postmortem_draft(sre)
    data = postmortems.PostMortemData(
        lessons=[
            {"category": "tooling", "text": "The restore script needs a dry run."},
            {"category": "communication", "text": "Post to the status page sooner."},
        ]
    )
    postmortems.postmortem_save(actor=sre, postmortem=postmortem, data=data)
    _first, second = postmortem.lessons.all()
    postmortems.postmortem_save(
        actor=sre,
        postmortem=postmortem,
        data=postmortems.PostMortemData(
            lessons=[{"id": second.pk, "category": "communication", "text": second.text}]
        ),
    )
    assert [(x.category, x.order) for x in postmortem.lessons.all()] == [("communication", 1)]


def test_a_lesson_with_an_unknown_category_is_refused_naming_the_row(sre):
    postmortem = f.postmortem_draft(sre)
    with pytest.raises(ValidationError) as caught:
        postmortems.postmortem_save(
            actor=sre,
            postmortem=postmortem,
            data=postmortems.PostMortemData(lessons=[{"category": "luck", "text": "x"}]),
        )
    assert "Lesson 1" in caught.value.message_dict["lessons"][0]
    assert not PostMortem.objects.get(pk=postmortem.pk).lessons.exists()
