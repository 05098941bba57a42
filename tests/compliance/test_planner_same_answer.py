"""`manage.py deadlines`, the API and the planner page show the same obligations for the same
documented example files (docs/examples/deadlines-*.json, quoted in docs/deadlines.md)."""

from __future__ import annotations

import io
import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from bcp_portal.core import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EXAMPLES = sorted((Path(settings.BASE_DIR) / "docs" / "examples").glob("deadlines-*.json"))
SHOWN = ("regime", "stage", "required", "due_utc", "due_local", "counting", "verified")


def from_command(path: Path) -> list[dict]:
    out = io.StringIO()
    call_command("deadlines", str(path), stdout=out)
    return json.loads(out.getvalue())


def form_data(data: dict) -> dict:
    """The example's facts typed into the planner's form."""
    (entity,) = data["entities"]
    zone = data.get("time_zone", "UTC")
    form = {
        "entity_name": entity["name"],
        "jurisdictions": ", ".join(entity.get("jurisdictions", [])),
        "statuses": entity.get("statuses", []),
        "holiday_calendars": ", ".join(entity.get("holiday_calendars", [])),
        "entity_time_zone": entity.get("time_zone", ""),
        "time_zone": zone,
        "incident_type": data.get("incident_type", ""),
        "severity": data.get("severity", ""),
        "gdpr_risk": data.get("gdpr_risk") or "",
        "persons_affected": "\n".join(
            f"{region}={count}" for region, count in data.get("persons_affected", {}).items()
        ),
        "submissions": "\n".join(
            f"{key}={value['at']} {value['time_zone']}"
            if isinstance(value, dict)
            else f"{key}={value}"
            for key, value in data.get("submissions", {}).items()
        ),
    }
    if data.get("regimes", "all") != "all":
        form["regimes"] = data["regimes"]
    for flag in ("personal_data", "payment_data"):
        if data.get(flag):
            form[flag] = "on"
    for kind, value in data.get("facts", {}).items():
        if isinstance(value, dict):
            form[f"fact_{kind}"], form[f"fact_{kind}_tz"] = value["at"], value["time_zone"]
        else:
            form[f"fact_{kind}"] = value
    return form


def page_rows(html: str) -> list[dict]:
    rows = []
    for match in re.finditer(
        r'<tr data-testid="obligation" data-regime="([^"]+)" data-stage="([^"]+)"[^>]*>(.*?)</tr>',
        html,
        re.S,
    ):
        body = match.group(3)

        def field(name: str, body: str = body) -> str | None:
            found = re.search(rf'data-field="{name}"[^>]*>([^<]*)<', body)
            return unescape(found.group(1)) if found else None

        rows.append(
            {
                "regime": match.group(1),
                "stage": match.group(2),
                "required": field("required") == "Required",
                "due_utc": field("due_utc"),
                "due_local": field("due_local"),
                "counting": field("counting"),
                "verified": field("verified") == "Verified",
            }
        )
    return rows


def test_there_are_documented_examples():
    assert len(EXAMPLES) >= 3
    text = (Path(settings.BASE_DIR) / "docs" / "deadlines.md").read_text()
    for path in EXAMPLES:
        assert f"docs/examples/{path.name}" in text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_command_the_api_and_the_page_show_the_same_obligations(path, client_for):
    data = json.loads(path.read_text())
    printed = from_command(path)
    assert printed, "an example that starts no obligation shows nothing"

    client = client_for(UserFactory(roles=[roles.LEGAL_COUNSEL]))
    answered = client.post("/api/v1/deadlines/evaluate", data, content_type="application/json")
    assert answered.status_code == 200
    assert answered.json() == printed

    page = client.post("/compliance/planner/", form_data(data))
    assert page.status_code == 200, page.content.decode()[:2000]
    assert page_rows(page.content.decode()) == [
        {name: obligation[name] for name in SHOWN} for obligation in printed
    ]
