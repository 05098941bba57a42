"""The break-glass copy of the contact directory and the on-call rota (issue #10 item 4)."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from bcp_portal.contacts.services import contact_update
from compliance.breakglass_directory import DIRECTORY_JSON, DIRECTORY_MD
from incidents.services.oncall import override_create
from tests.factories import ContactFactory
from tests.incidents.oncall_factories import rotation, sre

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def folder(settings, tmp_path, time_machine):
    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    settings.BREAK_GLASS_DIR = str(tmp_path)
    return tmp_path


def read(folder):
    return json.loads((folder / DIRECTORY_JSON).read_text()), (folder / DIRECTORY_MD).read_text()


def test_a_rota_change_writes_the_next_four_weeks_with_overrides_after_commit(
    folder, srelead, django_capture_on_commit_callbacks
):
    alice, bob = sre("alice"), sre("bob")
    with django_capture_on_commit_callbacks(execute=True):
        rota = rotation(srelead, [alice, bob], starts_at=T0)
    data, text = read(folder)
    assert data["rotation"] == "SRE rota"
    assert [s["primary"]["name"] for s in data["oncall"]] == ["Alice Doe", "Bob Doe"] * 2 + [
        "Alice Doe"
    ]
    assert "| Alice Doe <alice@example.org> | Bob Doe <bob@example.org> |" in text

    with django_capture_on_commit_callbacks(execute=True):
        override_create(
            actor=srelead,
            rotation=rota,
            user=bob,
            starts_at=T0 + timedelta(days=1),
            ends_at=T0 + timedelta(days=2),
            reason="Alice on holiday",
        )
    data, text = read(folder)
    assert data["oncall"][0]["overrides"][0]["reason"] == "Alice on holiday"
    assert "Alice on holiday" in text


def test_a_contact_change_rewrites_the_directory(
    folder, srelead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ceo = ContactFactory(name="Grace Hopper", kind="executive", phone="+44 20 7946 0000")
    data, text = read(folder)
    assert [c["name"] for c in data["contacts"]] == ["Grace Hopper"]
    assert "+44 20 7946 0000" in text

    with django_capture_on_commit_callbacks(execute=True):
        contact_update(actor=srelead, contact=ceo, phone="+44 20 7946 0999")
    data, _ = read(folder)
    assert data["contacts"][0]["phone"] == "+44 20 7946 0999"


def test_nothing_is_written_without_a_target(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.BREAK_GLASS_DIR = ""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ContactFactory()
    assert callbacks == []
