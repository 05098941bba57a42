"""The contact directory and the on-call rota beside the runbooks' break-glass copies.

When the portal is down, whoever opens the break-glass copies also needs whom to call:

    <root>/directory/contacts-and-oncall.md     for people
    <root>/directory/contacts-and-oncall.json   for scripts

on every configured target (`breakglass.configured_targets`: folder and/or S3). They hold
the active contacts of the directory and who is primary and secondary on call for the next
four weeks, with overrides applied (`incidents.oncall_selectors.rota`).

They are rewritten, whole, after any change of a contact, a rotation, its members or an
override commits: `compliance` connects to those models' save and delete signals here
(`connect_signals`, from its ready()), since `contacts` and `incidents` sit below it and must
not import it. The write is a task (`compliance.break_glass_directory_write`), retried on
failure, and also runs daily from the schedule, because the four-week window moves on by
itself. Rewriting unchanged content is harmless, so a change that sends several signals
costs a few identical writes, never a wrong file.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from bcp_portal.contacts.models import Contact
from bcp_portal.core.people import display_name
from bcp_portal.core.tasking import publish
from compliance.breakglass import STORES, configured_targets
from incidents.models import OnCallOverride, OnCallRotation, RotationMember
from incidents.oncall_selectors import active_rotation, rota

DIRECTORY_MD = "directory/contacts-and-oncall.md"
DIRECTORY_JSON = "directory/contacts-and-oncall.json"
WATCHED = (Contact, OnCallRotation, RotationMember, OnCallOverride)


def _person(user: Any) -> dict[str, str] | None:
    if user is None:
        return None
    return {"name": display_name(user), "email": user.email or ""}


def directory_payload(*, now: datetime) -> dict[str, Any]:
    contacts = [
        {
            "name": c.name,
            "kind": c.get_kind_display(),
            "organisation": c.organisation,
            "role": c.role_title,
            "phone": c.phone,
            "email": c.email,
            "chat": c.chat_handle,
        }
        for c in Contact.objects.filter(is_active=True).order_by("kind", "name")
    ]
    rotation = active_rotation()
    shifts = [
        {
            "from": row.shift.starts_at.astimezone(UTC).isoformat(),
            "until": row.shift.ends_at.astimezone(UTC).isoformat(),
            "primary": _person(row.primary),
            "secondary": _person(row.secondary),
            "overrides": [
                {
                    "slot": o.slot,
                    "person": _person(o.user),
                    "from": o.starts_at.astimezone(UTC).isoformat(),
                    "until": o.ends_at.astimezone(UTC).isoformat(),
                    "reason": o.reason,
                }
                for o in row.overrides
            ],
        }
        for row in rota(start=now, rotation=rotation)
    ]
    return {
        "generated_at": now.astimezone(UTC).isoformat(),
        "rotation": rotation.name if rotation else None,
        "oncall": shifts,
        "contacts": contacts,
    }


def _cell(text: Any) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ")


def _who(person: dict[str, str] | None) -> str:
    return f"{person['name']} <{person['email']}>" if person else "nobody"


def directory_documents(*, now: datetime) -> tuple[bytes, bytes]:
    """The JSON and Markdown files for the state at `now`."""
    payload = directory_payload(now=now)
    as_json = json.dumps(payload, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    lines = [
        "# Contacts and on-call: break-glass copy",
        "",
        f"Generated {payload['generated_at']} by the BCP portal. Times are UTC.",
        "",
        f"## On call, next four weeks ({_cell(payload['rotation'] or 'no active rotation')})",
        "",
        "| From | Until | Primary | Secondary | Overrides |",
        "|---|---|---|---|---|",
    ]
    for s in payload["oncall"]:
        overrides = "; ".join(
            f"{o['slot']}: {_who(o['person'])} {o['from']} to {o['until']} ({o['reason']})"
            for o in s["overrides"]
        )
        cells = [s["from"], s["until"], _who(s["primary"]), _who(s["secondary"]), overrides]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += [
        "",
        "## Contact directory",
        "",
        "| Name | Kind | Organisation | Role | Phone | Email | Chat |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in payload["contacts"]:
        cells = [c["name"], c["kind"], c["organisation"], c["role"], c["phone"], c["email"]]
        lines.append("| " + " | ".join(_cell(x) for x in [*cells, c["chat"]]) + " |")
    return as_json, ("\n".join(lines) + "\n").encode("utf-8")


def directory_write(*, now: datetime | None = None) -> list[str]:
    """Write both files to every configured target; the targets written."""
    as_json, as_md = directory_documents(now=now or timezone.now())
    written = []
    for target, location in configured_targets().items():
        store = STORES[target](location)
        store.put(DIRECTORY_JSON, as_json, "application/json")
        store.put(DIRECTORY_MD, as_md, "text/markdown; charset=utf-8")
        written.append(target)
    return written


def _changed(sender: Any, **kwargs: Any) -> None:
    if not configured_targets():
        return
    from compliance.tasks import break_glass_directory_write

    # Bounded publish after commit: a dead broker never hangs the change (the daily run
    # writes it then).
    transaction.on_commit(lambda: publish(break_glass_directory_write))


def connect_signals() -> None:
    for model in WATCHED:
        uid = f"breakglass-directory-{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
