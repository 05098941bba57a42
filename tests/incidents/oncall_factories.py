"""On-call rows for tests, made through the services."""

from __future__ import annotations

import re
from datetime import UTC, datetime

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


def paged_incident(actor=None):
    """A P0 incident whose primary was paged (a rotation of two SREs is made if none)."""
    from incidents.models import OnCallRotation
    from tests.incidents.factories import declare

    lead = UserFactory(roles=[roles.SRE_LEAD])
    if not OnCallRotation.objects.filter(is_active=True).exists():
        members = [UserFactory(roles=[roles.SRE]) for _ in range(2)]
        rotation_create(actor=lead, name="Rota", starts_at=datetime.now(UTC), members=members)
    return declare(actor or UserFactory(roles=[roles.SRE]), severity="P0")


def an_override():
    from datetime import timedelta

    from incidents.services.oncall import override_create

    paged_incident()
    lead = UserFactory(roles=[roles.SRE_LEAD])
    start = datetime.now(UTC) + timedelta(days=1)
    return override_create(
        actor=lead,
        rotation=OnCallRotation.objects.get(is_active=True),
        user=UserFactory(roles=[roles.SRE]),
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        reason="Holiday",
    )
