"""Seed the bench database directly with COPY: bench-only, not the product.

Rows are written without services or history (history tables stay empty): what is measured
is how pages read large tables. Drills are three a day, from about a month ahead back as
far as the size needs, so the month view holds about the same hundred drills at every size
while the tables grow. `seed(size)` writes `size` drills, 90 % of them with a report, and
`size` actions (each linked to a report, as the tracker requires); `settle()` then vacuums
and analyses them.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import connection, models, transaction
from django.utils import timezone

from bcp_portal.actions.models import Action
from bcp_portal.catalogue.models import Service
from bcp_portal.contacts.models import Contact
from bcp_portal.core import roles
from drills.models import Drill, DrillReport, DrillReportAction, DrillType

PASSWORD = "bench-password-not-secret"
PEOPLE = 12


def _text(value: Any) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def copy_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """COPY `rows` into the model's table; missing columns take the field's default."""
    now = timezone.now()
    fields = list(model._meta.concrete_fields)
    columns = [f.column for f in fields]
    buffer = io.StringIO()
    for row in rows:
        values = []
        for f in fields:
            if f.attname in row:
                value = row[f.attname]
            elif isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                value = now
            else:
                value = f.get_default()
            values.append(_text(value))
        buffer.write("\t".join(values) + "\n")
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3
        with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        if model._meta.pk.column == "id" and isinstance(model._meta.pk, models.AutoField):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608  # a model's table
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))",
                [model._meta.db_table],
            )


def users() -> dict[str, User]:
    """The bench's people: a staff SRE Lead who signs in, and SREs who own and take part."""
    lead, _ = User.objects.get_or_create(
        username="bench-lead", defaults={"first_name": "Bench", "last_name": "Lead"}
    )
    lead.is_staff = True
    lead.set_password(PASSWORD)
    lead.save()
    lead.groups.add(Group.objects.get(name=roles.SRE_LEAD))
    people = {"lead": lead}
    sre = Group.objects.get(name=roles.SRE)
    for i in range(PEOPLE):
        person, _ = User.objects.get_or_create(
            username=f"bench-sre-{i}", defaults={"first_name": "SRE", "last_name": f"{i:02d}"}
        )
        person.groups.add(sre)
        people[f"sre-{i}"] = person
    return people


@transaction.atomic
def seed(size: int) -> None:
    people = list(users().values())
    types = list(DrillType.objects.order_by("pk"))
    if not types:
        raise SystemExit("No drill types: migrate first (they load after migrate).")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    first = now + timedelta(days=35)
    drills, participants, reports, actions, links = [], [], [], [], []
    for i in range(1, size + 1):
        starts_at = first - timedelta(hours=8 * i)
        past = starts_at < now - timedelta(days=3)
        if not past:
            status = Drill.Status.PLANNED
        elif i % 50 == 0:
            status = Drill.Status.CANCELLED
        elif i % 97 == 0:
            status = Drill.Status.PLANNED  # overdue
        else:
            status = Drill.Status.DONE
        kind = types[i % len(types)]
        drills.append(
            {
                "id": i,
                "drill_type_id": kind.pk,
                "title": f"{kind.name} drill {i}",
                "scenario": "Restore the primary database from the latest backup.",
                "starts_at": starts_at,
                "planned_duration_minutes": 120,
                "status": status,
            }
        )
        participants.append({"id": i, "drill_id": i, "user_id": people[1 + i % PEOPLE].pk})
        if i % 10 != 0 and len(reports) < size * 9 // 10:
            submitted = status == Drill.Status.DONE
            reports.append(
                {
                    "id": i,
                    "drill_id": i,
                    "status": DrillReport.Status.SUBMITTED if submitted else "draft",
                    "drill_date": starts_at.date(),
                    "scenario": "Restore the primary database from the latest backup.",
                    "overall_result": ("pass" if i % 7 else "fail") if submitted else "",
                    "summary": "Restored within the objective.",
                    "created_by_id": people[0].pk,
                    "submitted_by_id": people[0].pk if submitted else None,
                    "submitted_at": starts_at + timedelta(days=1) if submitted else None,
                }
            )
    report_ids = [r["id"] for r in reports]
    for i in range(1, size + 1):
        action_status = ["open", "in_progress", "done", "done", "cancelled"][i % 5]
        actions.append(
            {
                "id": i,
                "title": f"Follow-up {i}",
                "description": "Automate the restore check.",
                "owner_id": people[i % (PEOPLE + 1)].pk if i % 9 else None,
                "due_date": (now + timedelta(days=60 - (i % 3650))).date() if i % 11 else None,
                "status": action_status,
                "priority": ["high", "medium", "low"][i % 3],
                "source_kind": DrillReportAction._meta.get_field("source_kind").default,
            }
        )
        links.append(
            {
                "action_id": i,
                "drill_report_id": report_ids[i % len(report_ids)],
                "source_kind": DrillReportAction._meta.get_field("source_kind").default,
            }
        )
    copy_rows(Drill, drills)
    copy_rows(Drill.participants.through, participants)
    copy_rows(DrillReport, reports)
    copy_rows(Action, actions)
    copy_rows(DrillReportAction, links)
    services = [
        {
            "id": i,
            "name": f"Service {i:03d}",
            "rto_target_minutes": 60,
            "rto_max_minutes": 240,
            "rpo_target_minutes": 15,
            "rpo_max_minutes": 60,
        }
        for i in range(1, 61)
    ]
    copy_rows(Service, services)
    copy_rows(Contact, [{"id": i, "name": f"Contact {i:04d}"} for i in range(1, 301)])


def settle() -> None:
    """VACUUM ANALYZE the seeded database (outside any transaction), as a live one is.

    Tables just written by COPY have planner statistics only after ANALYZE, and no
    visibility map until a VACUUM: without it every index-only scan still reads the table,
    so the planner avoids them. On a live database autovacuum sets both within a minute of
    such a write (PostgreSQL 13+ vacuums after inserts too); the bench measures that steady
    state, not the first minute after a bulk load.
    """
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- Runbooks: 1,000 documents with 20 versions each ------------------------------------
RUNBOOK_DOCUMENTS = 1000
RUNBOOK_VERSIONS = 20


def seed_runbooks(documents: int = RUNBOOK_DOCUMENTS, versions: int = RUNBOOK_VERSIONS) -> int:
    """Each document: versions 1..n-2 superseded, n-1 published, n a contact update in review
    (waiting for the SRE Lead: the bench user's inbox). Returns the first published version's
    id (its PDF is measured). Content is the demo runbook (about 4 KB)."""
    import hashlib
    from pathlib import Path

    from django.contrib.contenttypes.models import ContentType

    from bcp_portal.core.models import SignOff
    from compliance.models import (
        ChangeRequest,
        RequiredApproval,
        RunbookDocument,
        RunbookVersion,
    )

    people = users()
    author = people["sre-0"]
    root = Path(__file__).resolve().parent.parent
    content = (root / "compliance" / "data" / "demo_runbook.md").read_text()
    digest = hashlib.sha256(content.encode()).hexdigest()
    now = timezone.now()
    docs, rows, changes, required, signoffs = [], [], [], [], []
    change_type_id = ContentType.objects.get_for_model(ChangeRequest).pk
    for d in range(1, documents + 1):
        docs.append(
            {
                "id": d,
                "doc_id": f"DR-BENCH-{d:05d}",
                "title": f"Bench runbook {d}",
                "owner": "SRE Team",
                "classification": "confidential",
                "review_cadence": "semi_annual",
                "next_review": (now + timedelta(days=d % 200 - 20)).date(),
            }
        )
        for s in range(1, versions + 1):
            pk = (d - 1) * versions + s
            status = (
                "superseded"
                if s < versions - 1
                else "published"
                if s == versions - 1
                else "in_review"
            )
            at = now - timedelta(days=(versions - s) * 30)
            rows.append(
                {
                    "id": pk,
                    "document_id": d,
                    "label": f"{at:%Y.%m}.{s}",
                    "sequence": s,
                    "status": status,
                    "content": content,
                    "content_sha256": digest,
                    "based_on_id": pk - 1 if s > 1 else None,
                    "created_by_id": author.pk,
                    "published_at": at if status != "in_review" else None,
                    "published_by_id": author.pk if status != "in_review" else None,
                    "superseded_at": at + timedelta(days=30) if status == "superseded" else None,
                }
            )
            in_review = status == "in_review"
            changes.append(
                {
                    "id": pk,
                    "version_id": pk,
                    "change_type": "contact_update" if in_review else "procedure_update",
                    "reason": "Bench change",
                    "author_id": author.pk,
                    "sections_touched": '["2.1 Who to call"]',
                    "implementation_lead": "SRE Lead",
                    "rule_text": "Contact update needs SRE Lead",
                    "submitted_at": at,
                    "review_round": 1,
                }
            )
            if in_review:
                required.append({"change_id": pk, "role": roles.SRE_LEAD, "position": 0})
                continue
            # Every change before it was approved by its two roles, as in a real history:
            # the inbox must find the few changes in review among them.
            for position, (role, signer) in enumerate(
                ((roles.ENGINEERING_MANAGER, people["sre-1"]), (roles.DPO, people["sre-2"]))
            ):
                required.append({"change_id": pk, "role": role, "position": position})
                signoffs.append(
                    {
                        "subject_type_id": change_type_id,
                        "subject_id": pk,
                        "purpose": "runbook_change",
                        "subject_label": f"DR-BENCH-{d:05d} {at:%Y.%m}.{s}",
                        "role": role,
                        "signer_id": signer.pk,
                        "decision": "approve",
                        "content_sha256": digest,
                        "canonical_version": 1,
                        "signed_at": at,
                    }
                )
    copy_rows(RunbookDocument, docs)
    copy_rows(RunbookVersion, rows)
    copy_rows(ChangeRequest, changes)
    for i, row in enumerate(required, start=1):
        row["id"] = i
    copy_rows(RequiredApproval, required)
    for i, row in enumerate(signoffs, start=1):
        row["id"] = i
    copy_rows(SignOff, signoffs)
    # copy_rows flattens line breaks; the runbook's Markdown needs them (one statement).
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {RunbookVersion._meta.db_table} SET content = %s",  # noqa: S608
            [content],
        )
    return versions - 1
