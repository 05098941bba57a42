"""Create demo people (one per role) and sample content; safe to run again.

Passwords are generated on first creation, printed, and kept in var/demo-logins.txt (git
ignores var/) so `make run` can show them again. Each demo user has two-factor set up: the
list shows their TOTP secret (for an authenticator app, or `oathtool --totp -b SECRET`) and
the backup codes they have left.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from bcp_portal.core.audit import Source, audit_context
from bcp_portal.demo import (
    DEMO_STEPS,
    LOGINS_FILE,
    demo_second_factor,
    demo_users,
    read_logins,
)


class Command(BaseCommand):
    help = "Load demo users (one per role) and realistic sample content. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give every demo user a new password (printed).",
        )

    def handle(self, *args, **options):
        with audit_context(source=Source.COMMAND), transaction.atomic():
            demo_users(self.stdout, reset_passwords=options["reset_passwords"])
            for step in DEMO_STEPS:
                step(self.stdout)
        logins = read_logins()
        base = Path(settings.BASE_DIR)
        shown = LOGINS_FILE.relative_to(base) if LOGINS_FILE.is_relative_to(base) else LOGINS_FILE
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (also in {shown}):"))
        # The same fields in the same order as the file: username, password, role.
        self.stdout.write(f"  {'username':<10} {'password':<22} role")
        for username, password, role in logins:
            self.stdout.write(f"  {username:<10} {password:<22} {role}")
            secret, uri, codes = demo_second_factor(username)
            if secret:
                self.stdout.write(f"      two-factor secret  {secret}")
                self.stdout.write(f"      authenticator URI  {uri}")
                self.stdout.write(f"      backup codes       {' '.join(codes)}")
        self.stdout.write(
            f"\nOpen {settings.SITE_URL}/ and log in as any of them: the password, then the "
            "code of an authenticator app holding that user's secret (or "
            "`oathtool --totp -b SECRET`), or one of their backup codes (each works once). "
            "Changing your password, API tokens and two-factor ask for a fresh code too."
        )
