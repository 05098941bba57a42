"""`manage.py deadlines FILE.json`: the obligations as JSON; bad input exits 2 naming the
field, never with a traceback. Every input file is written by the test."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db

FRENCH_CONTROLLER = {
    "name": "Acme SAS",
    "jurisdictions": ["FR"],
    "statuses": ["gdpr_controller"],
    "holiday_calendars": ["FR"],
    "time_zone": "Europe/Paris",
}


def run(tmp_path, content: str) -> list[dict]:
    path = tmp_path / "facts.json"
    path.write_text(content)
    out = io.StringIO()
    call_command("deadlines", str(path), stdout=out)
    return json.loads(out.getvalue())


def refused(tmp_path, content: str | bytes) -> CommandError:
    path = tmp_path / "facts.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(CommandError) as error:
        call_command("deadlines", str(path), stdout=io.StringIO())
    assert error.value.returncode == 2
    return error.value


def test_a_gdpr_breach_prints_the_supervisory_authority_deadline_72_elapsed_hours_on(tmp_path):
    obligations = run(
        tmp_path,
        json.dumps(
            {
                "entities": [FRENCH_CONTROLLER],
                "regimes": ["eu_gdpr_art33_art34"],
                "personal_data": True,
                "gdpr_risk": "risk",
                "facts": {
                    "detection": "2026-03-27T16:00:00Z",
                    "controller_awareness": {"at": "2026-03-27T18:30", "time_zone": "Europe/Paris"},
                },
            }
        ),
    )
    authority = next(o for o in obligations if o["stage"] == "supervisory_authority")
    assert authority["required"] is True
    # 17:30 UTC + 72 h; the Paris clock moved forward on the 29th: 19:30, not 18:30.
    assert authority["due_utc"] == "2026-03-30T17:30:00Z"
    assert authority["due_local"] == "2026-03-30T19:30:00+02:00"
    assert authority["counting"] == "elapsed_hours"
    assert authority["anchor"] == "controller_awareness"
    assert authority["provisional"] is False
    assert authority["alternative"]["due_utc"] == "2026-03-30T18:00:00Z"
    assert {"regime", "stage", "notify", "reason", "basis", "verified"} <= set(authority)


def test_a_breach_judged_unlikely_to_risk_prints_the_authority_stage_as_not_required(tmp_path):
    obligations = run(
        tmp_path,
        json.dumps(
            {
                "entities": [FRENCH_CONTROLLER],
                "regimes": ["eu_gdpr_art33_art34"],
                "personal_data": True,
                "gdpr_risk": "none",
                "facts": {"controller_awareness": "2026-03-27T18:30:00+01:00"},
            }
        ),
    )
    authority = next(o for o in obligations if o["stage"] == "supervisory_authority")
    assert authority["required"] is False
    assert authority["reason"]


def test_a_bad_field_exits_2_naming_its_path(tmp_path):
    error = refused(
        tmp_path,
        json.dumps({"entities": [{**FRENCH_CONTROLLER, "time_zone": "Paris"}], "severity": "P7"}),
    )
    assert "entities.0.time_zone" in str(error)
    assert "severity" in str(error)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "is not JSON"),
        (b"\xff\xfe{}", "is not UTF-8"),
        ("[" * 100 + "]" * 100, "nests deeper"),
        ("[]", "Give a JSON object"),
        ('{"entities": []}', "entities"),
    ],
)
def test_unreadable_input_exits_2_with_a_message(tmp_path, content, says):
    assert says in str(refused(tmp_path, content))


def test_a_missing_file_exits_2(tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("deadlines", str(tmp_path / "none.json"), stdout=io.StringIO())
    assert error.value.returncode == 2
    assert "Cannot read" in str(error.value)


def test_a_regime_switched_off_in_the_admin_is_not_printed(tmp_path):
    from compliance.models_notifications import NotificationRegime

    regime = NotificationRegime.objects.get(key="eu_gdpr_art33_art34")
    regime.enabled = False
    regime.save()
    obligations = run(
        tmp_path,
        json.dumps(
            {
                "entities": [FRENCH_CONTROLLER],
                "personal_data": True,
                "gdpr_risk": "risk",
                "facts": {"controller_awareness": "2026-03-27T18:30:00+01:00"},
            }
        ),
    )
    assert "eu_gdpr_art33_art34" not in {o["regime"] for o in obligations}
