from io import StringIO

import pytest
from django.core.management import call_command

import bcp_portal.demo
import bcp_portal.management.commands.demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def logins_file(monkeypatch, tmp_path):
    path = tmp_path / "demo-logins.txt"
    monkeypatch.setattr(bcp_portal.demo, "LOGINS_FILE", path)
    monkeypatch.setattr(bcp_portal.management.commands.demo, "LOGINS_FILE", path)
    # Only the people: the sample content takes seconds and is not what this is about.
    monkeypatch.setattr(bcp_portal.management.commands.demo, "DEMO_STEPS", [])
    return path


def _demo() -> list[list[str]]:
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    listed = text[text.index("Demo logins") :].splitlines()[1:]
    return [line.split() for line in listed if line.startswith("  ")]


def test_the_console_and_the_logins_file_list_username_password_role_in_that_order(
    logins_file,
):
    console = _demo()
    lines = logins_file.read_text().splitlines()
    assert lines[0] == "# username\tpassword\trole (demo only)"
    assert console[0] == ["username", "password", "role"]
    in_file = [line.split("\t") for line in lines[1:]]
    assert [row[:2] for row in console[1:]] == [row[:2] for row in in_file]
    assert [" ".join(row[2:]) for row in console[1:]] == [row[2] for row in in_file]
    assert in_file[0][0] == "sre" and in_file[0][2] == "SRE"


def test_a_logins_file_in_the_old_order_is_read_and_rewritten_in_the_new(logins_file):
    _demo()
    rows = bcp_portal.demo.read_logins()
    old = ["# username\trole\tpassword (demo only)"]
    old += [f"{username}\t{role}\t{password}" for username, password, role in rows]
    logins_file.write_text("\n".join(old) + "\n")

    assert bcp_portal.demo.read_logins() == rows
    _demo()
    assert bcp_portal.demo.read_logins() == rows
    assert logins_file.read_text().splitlines()[0] == "# username\tpassword\trole (demo only)"
