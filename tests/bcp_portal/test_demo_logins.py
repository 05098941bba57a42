import base64
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

import bcp_portal.demo
import bcp_portal.management.commands.demo
from bcp_portal.core import twofactor
from tests.twofactor import totp_code

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
    # A login's row is indented two spaces; its two-factor lines, more.
    return [line.split() for line in listed if line.startswith("  ") and line[2] != " "]


def test_the_console_and_the_logins_file_list_username_password_role_in_that_order(
    logins_file,
):
    console = _demo()
    lines = logins_file.read_text().splitlines()
    assert lines[0] == ("# username\tpassword\trole\ttwo-factor secret\tbackup codes (demo only)")
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
    assert logins_file.read_text().splitlines()[0].startswith("# username\tpassword\trole\t")


def test_every_demo_user_has_two_factor_and_the_logins_show_how_to_give_a_code(logins_file):
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()

    for row in logins_file.read_text().splitlines()[1:]:
        username, _password, _role, secret, codes = row.split("\t")
        user = get_user_model().objects.get(username=username)
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        # The printed secret is the device's key: an app given it shows the codes we accept.
        assert secret.replace(" ", "") == base64.b32encode(device.bin_key).decode().rstrip("=")
        assert twofactor.code_check(user, totp_code(device)).ok
        assert len(codes.split()) == 10
        assert f"two-factor secret  {secret}" in text
        assert f"backup codes       {codes}" in text
    # A second run keeps the same secrets (the file and the console stay true).
    before = logins_file.read_text()
    call_command("demo", stdout=StringIO())
    assert logins_file.read_text() == before


def test_a_demo_backup_code_signs_in_once_and_the_next_list_leaves_it_out(logins_file):
    call_command("demo", stdout=StringIO())
    username, _password, _role, _secret, codes = logins_file.read_text().splitlines()[1].split("\t")
    user = get_user_model().objects.get(username=username)
    first = codes.split()[0]

    assert twofactor.code_check(user, first).ok
    assert not twofactor.code_check(user, first).ok
    call_command("demo", stdout=StringIO())
    assert first not in logins_file.read_text().splitlines()[1]
