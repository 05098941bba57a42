"""Every field that picks several people is a filterable list of ticked boxes."""

from bcp_portal.core.forms import PeoplePicker
from drills.calendar_forms import DrillForm
from drills.forms import DrillReportForm
from tests.actions.factories import PersonFactory


def test_every_multi_person_field_uses_the_people_picker(db):
    for form in (DrillForm(), DrillReportForm()):
        assert isinstance(form.fields["participants"].widget, PeoplePicker)


def test_the_picker_is_boxes_with_a_labelled_filter_and_no_ctrl_click(srelead, client_for):
    PersonFactory(username="omar", first_name="Omar", last_name="Okafor", roles=["SRE"])
    page = client_for(srelead).get("/drills/new/").content.decode()
    assert (
        '<select name="participants"' not in page
        and "multiple" not in page.split('id="id_participants"')[1][:200]
    )
    # The field's label names the filter box; the group of boxes carries the same name.
    assert 'for="id_participants_filter"' in page and 'id="id_participants_filter"' in page
    assert 'role="group" aria-label="Participants"' in page
    assert 'type="checkbox" name="participants"' in page and ">Omar Okafor</label>" in page
    assert "js/people-picker" in page


def test_a_chosen_person_stays_ticked_after_a_refused_post(srelead, client_for):
    omar = PersonFactory(first_name="Omar", last_name="Okafor", roles=["SRE"])
    response = client_for(srelead).post(
        "/drills/new/", {"participants": [str(omar.pk)], "starts_at": "not a date"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    box = page.split(f'name="participants" value="{omar.pk}"')[1].split(">")[0]
    assert 'class="form-check-input" id="id_participants_' in box and "checked" in box
    assert "<span data-chosen-count>1</span>" in page
