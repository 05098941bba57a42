"""Demo on-call: a weekly rotation of the demo SRE and SRE Lead, and one override (a swap).

Idempotent: nothing is added when the demo rotation exists (a person may have edited it).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.models import User

from bcp_portal.catalogue.selectors import organisation_today, organisation_zone
from incidents.models import OnCallRotation
from incidents.services.oncall import override_create, rotation_create

DEMO_ROTATION = "SRE on-call (weekly)"


def load_demo_oncall(out) -> None:  # type: ignore[no-untyped-def]
    if OnCallRotation.objects.filter(name=DEMO_ROTATION).exists():
        return
    people = {u.username: u for u in User.objects.filter(username__in=["sre", "srelead"])}
    if len(people) < 2:
        return
    lead, sre = people["srelead"], people["sre"]
    today = organisation_today()
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday, time(9, 0), tzinfo=organisation_zone())
    rotation = rotation_create(
        actor=lead, name=DEMO_ROTATION, starts_at=start, members=[sre, lead], shift_days=7
    )
    swap = start + timedelta(days=9)  # Wednesday next week
    override_create(
        actor=lead,
        rotation=rotation,
        user=lead,
        slot="secondary",
        starts_at=swap,
        ends_at=swap + timedelta(days=1),
        reason="Swap: Sam is at a conference",
    )
    out.write(f"On call: rotation “{DEMO_ROTATION}” with one override")
