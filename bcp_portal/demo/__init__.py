"""Demo content. Each app adds a step to DEMO_STEPS; every step is idempotent.

Users come first (`demo_users`); a user whose password this database's logins file does not
know gets a fresh one, so the printed logins always work. Every demo user has two-factor set
up (an authenticator app and backup codes): the logins list their TOTP secret and the
backup codes they have left, read from the database each time, so a newcomer can sign in
(password, then a code) and confirm changes.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from bcp_portal.catalogue.demo import load_catalogue
from bcp_portal.contacts.models import Contact
from bcp_portal.core import roles, twofactor
from bcp_portal.core.channels.demo import load_demo_notifications
from compliance.demo import load_demo_runbook
from compliance.demo_notifications import load_demo_notification_clocks
from drills.demo import load_drill_calendar
from drills.demo_reports import load_drill_reports
from incidents.demo import load_incident_year
from incidents.demo_declare import load_demo_incident
from incidents.demo_oncall import load_demo_oncall
from incidents.demo_postmortems import load_demo_postmortems


def _logins_file() -> Path:
    """One file per database, so demo data in another database never mixes passwords."""
    name = str(settings.DATABASES["default"]["NAME"])
    default = str(Path(settings.BASE_DIR) / "db.sqlite3")
    suffix = "" if name == default else "-" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return Path(settings.BASE_DIR) / "var" / f"demo-logins{suffix}.txt"


LOGINS_FILE = _logins_file()

# username, first name, last name, role, time zone
DEMO_PEOPLE = [
    ("sre", "Sam", "Reyes", roles.SRE, "Europe/Dublin"),
    ("srelead", "Lena", "Ortiz", roles.SRE_LEAD, "Europe/Dublin"),
    ("engmgr", "Ravi", "Menon", roles.ENGINEERING_MANAGER, "Europe/London"),
    ("cto", "Chloé", "Martin", roles.CTO, "Europe/Paris"),
    ("dpo", "Dara", "Kelly", roles.DPO, "Europe/Berlin"),
    ("legal", "Lucia", "Gomez", roles.LEGAL_COUNSEL, "Europe/Madrid"),
    ("auditor", "Ari", "Novak", roles.AUDITOR, "UTC"),
]


# The logins file and the console list the same fields in the same order.
LOGINS_HEADER = "# username\tpassword\trole\ttwo-factor secret\tbackup codes (demo only)"
_THREE_COLUMN_HEADER = "# username\tpassword\trole (demo only)"
# Files written before the order was settled hold username, role, password.
_OLD_LOGINS_HEADER = "# username\trole\tpassword (demo only)"


def read_logins() -> list[tuple[str, str, str]]:
    """(username, password, role) for each demo login this database's file knows."""
    if not LOGINS_FILE.exists():
        return []
    rows = []
    lines = LOGINS_FILE.read_text().splitlines()
    old_order = bool(lines) and lines[0] == _OLD_LOGINS_HEADER
    for line in lines:
        if line and not line.startswith("#"):
            username, second, third, *_ = line.split("\t")
            rows.append((username, third, second) if old_order else (username, second, third))
    return rows


def demo_second_factor(username: str) -> tuple[str, str, list[str]]:
    """(TOTP secret in base32, its otpauth:// URI, unused backup codes) of a demo user."""
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is None:
        return "", "", []
    codes = StaticToken.objects.filter(device__user__username=username, device__confirmed=True)
    return (
        twofactor.totp_secret(device),
        device.config_url,
        sorted(codes.values_list("token", flat=True)),
    )


def _enrol(user) -> None:
    """Set up two-factor for a demo user who has none (through the service, as a person
    setting it up would; the audit context says the demo command did it)."""
    if not twofactor.has_two_factor(user):
        twofactor.two_factor_enrol(actor=user, device=twofactor.totp_device_pending(user=user))


def demo_users(out, *, reset_passwords: bool = False) -> None:
    user_model = get_user_model()
    known = {row[0]: row for row in read_logins()}
    for username, first, last, role, tz in DEMO_PEOPLE:
        user = user_model.objects.filter(username=username).first()
        if user is not None and (reset_passwords or username not in known):
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
            known[username] = (username, password, role)
        if user is None:
            password = secrets.token_urlsafe(12)
            user = user_model.objects.create_user(
                username=username,
                password=password,
                first_name=first,
                last_name=last,
                email=f"{username}@example.org",
                is_staff=role in (roles.SRE_LEAD, roles.CTO),
            )
            profile = user.profile
            profile.time_zone = tz
            profile.save()
            known[username] = (username, password, role)
            out.write(f"Created {username} ({role})")
        user.groups.add(Group.objects.get(name=role))
        _enrol(user)
    LOGINS_FILE.parent.mkdir(parents=True, exist_ok=True)
    lines = [LOGINS_HEADER]
    for username, *_ in DEMO_PEOPLE:
        if username in known:
            secret, _, codes = demo_second_factor(username)
            lines.append("\t".join([*known[username], secret, " ".join(codes)]))
    LOGINS_FILE.write_text("\n".join(lines) + "\n")


def demo_catalogue(out) -> None:
    load_catalogue(out)


def demo_contacts(out) -> None:
    contacts = [
        (
            "Morgan Blake",
            Contact.Kind.EXECUTIVE,
            "",
            "Chief Executive Officer",
            "ceo@example.org",
            "+353 1 555 0100",
            "@morgan",
        ),
        (
            "Stripe support",
            Contact.Kind.VENDOR,
            "Stripe",
            "Incident desk",
            "support@stripe.example",
            "",
            "",
        ),
        (
            "Data Protection Commission",
            Contact.Kind.AUTHORITY,
            "DPC Ireland",
            "Breach notifications",
            "breaches@dpc.example",
            "+353 57 868 4800",
            "",
        ),
    ]
    for name, kind, org, title, email, phone, chat in contacts:
        Contact.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "organisation": org,
                "role_title": title,
                "email": email,
                "phone": phone,
                "chat_handle": chat,
            },
        )


def demo_drills(out) -> None:
    load_drill_calendar(out)


def demo_drill_reports(out) -> None:
    load_drill_reports(out)


def demo_runbook(out) -> None:
    """Two published versions of the demo runbook and a change waiting for approval, signed
    with the demo users' own passwords and authenticator codes."""
    load_demo_runbook(
        out, passwords={username: password for username, password, _ in read_logins()}
    )


def demo_incident(out) -> None:
    """One incident being handled (issue #10's pages)."""
    load_demo_incident(out)


def demo_incidents(out) -> None:
    """A year of incidents for the DR metrics (after the catalogue they affect)."""
    load_incident_year(out)


def demo_oncall(out) -> None:
    """Incidents (issue #10): a weekly rotation of the demo SREs and one override."""
    load_demo_oncall(out)


def demo_notifications(out) -> None:
    """A disabled chat target to look at, and a message in every demo user's inbox."""
    load_demo_notifications(out)


# Post-mortems (incidents, issue #10): one published and signed, one draft.
def demo_postmortems(out) -> None:
    load_demo_postmortems(
        out, passwords={username: password for username, password, _ in read_logins()}
    )


DEMO_STEPS = [demo_contacts, demo_catalogue, demo_drills, demo_drill_reports, demo_runbook]
# Incidents (issue #10): the rota first, so that a live incident pages someone; the year of
# incidents for the metrics, one being handled, the post-mortems.
DEMO_STEPS += [demo_oncall, demo_incidents, demo_incident, demo_postmortems]
# The outbox's channels (bcp_portal.core.channels).
DEMO_STEPS.append(demo_notifications)


def demo_notification_clocks(out) -> None:
    """Notification clocks (issue #11): the legal entities and authorities, and incidents
    with a running, a provisional and an overdue GDPR clock and a DORA report submitted."""
    load_demo_notification_clocks(out)


DEMO_STEPS.append(demo_notification_clocks)
