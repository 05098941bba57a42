"""Demo content. Each app adds a step to DEMO_STEPS; every step is idempotent."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from bcp_portal import roles

LOGINS_FILE = Path(settings.BASE_DIR) / "var" / "demo-logins.txt"

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


def read_logins() -> list[tuple[str, str, str]]:
    if not LOGINS_FILE.exists():
        return []
    rows = []
    for line in LOGINS_FILE.read_text().splitlines():
        if line and not line.startswith("#"):
            username, role, password = line.split("\t")
            rows.append((username, role, password))
    return rows


def demo_users(out) -> None:
    user_model = get_user_model()
    known = {row[0]: row for row in read_logins()}
    for username, first, last, role, tz in DEMO_PEOPLE:
        user = user_model.objects.filter(username=username).first()
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
            known[username] = (username, role, password)
            out.write(f"Created {username} ({role})")
        user.groups.add(Group.objects.get(name=role))
    LOGINS_FILE.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# username\trole\tpassword (demo only)"]
    lines += ["\t".join(known[u]) for u, *_ in DEMO_PEOPLE if u in known]
    LOGINS_FILE.write_text("\n".join(lines) + "\n")


def demo_catalogue(out) -> None:
    from incidents.demo import load_catalogue

    load_catalogue(out)


def demo_contacts(out) -> None:
    from bcp_portal.models import Contact

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


DEMO_STEPS = [demo_users, demo_contacts, demo_catalogue]
