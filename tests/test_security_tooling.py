"""The security tools the checks run (issue #8, item 14): bandit finds nothing of high
severity; the pip-audit ignore list gives a reason for every advisory it accepts."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADVISORY_ID = re.compile(r"^(PYSEC-\d{4}-\d+|GHSA(-[0-9a-z]{4}){3}|CVE-\d{4}-\d+)$")


def test_bandit_finds_no_high_severity_issue():
    bandit = Path(sys.executable).parent / "bandit"
    result = subprocess.run(
        [bandit, "-q", "-c", "pyproject.toml", "-r", ".", "--severity-level", "high"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_accepted_advisory_names_its_id_and_a_reason():
    lines = (ROOT / "security" / "pip-audit-ignore.txt").read_text().splitlines()
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        ident, _, reason = line.partition(" ")
        assert ADVISORY_ID.match(ident), line
        assert len(reason.strip()) >= 20, f"{ident}: say why it is accepted"


def test_make_audit_reads_both_lock_files_and_fails_on_what_it_could_not_check():
    script = (ROOT / "scripts" / "audit.sh").read_text()
    assert "requirements.lock requirements-dev.lock" in script
    assert "--strict" in script and "--require-hashes" in script
