"""On-call rows for tests, made through the services."""

from __future__ import annotations

import re
from datetime import datetime

from django.core import mail

from bcp_portal.core import roles
from incidents.models import OnCallRotation
from incidents.services.oncall import rotation_create
from tests.factories import UserFactory

LINK_RE = re.compile(r"https?://\S+/incidents/ack/(\S+)/")


def rotation(actor, members, *, starts_at: datetime, shift_days: int = 7) -> OnCallRotation:
    return rotation_create(
        actor=actor, name="SRE rota", starts_at=starts_at, members=members, shift_days=shift_days
    )


def sre(name: str):
    return UserFactory(username=name, first_name=name.title(), last_name="Doe", roles=[roles.SRE])


def mails_to(user) -> list:
    return [m for m in mail.outbox if user.email in m.to]


def ack_path(message) -> str:
    """The path of the acknowledgement link in a delivered page."""
    found = LINK_RE.search(message.body)
    assert found, message.body
    return f"/incidents/ack/{found.group(1)}/"
