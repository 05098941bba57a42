"""Demo drill reports: most past drills reported, some failed with actions, a few overdue.

Choices depend on the drill's id only, so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from bcp_portal.actions.models import Action
from bcp_portal.actions.services import action_transition
from bcp_portal.catalogue.models import Service
from drills.models import Drill, DrillReport
from drills.services.reports import (
    ReportData,
    drill_report_save,
    drill_report_start,
    drill_report_submit,
)

STEPS = {
    "database_recovery": [
        ("Declare the drill and freeze writes on the staging copy", 5),
        ("Restore the latest full backup into an isolated database", 55),
        ("Replay WAL up to the target time", 20),
        ("Compare row counts and checksums of critical tables", 10),
    ],
    "application_failover": [
        ("Drain the primary region's load balancer", 5),
        ("Promote the secondary deployment", 15),
        ("Run the smoke test suite against the secondary", 10),
    ],
    "storage_recovery": [
        ("Block uploads and switch media to read-only", 5),
        ("Restore last night's snapshot to a scratch bucket", 40),
        ("Serve a sample of media from the restored bucket", 15),
    ],
    "end_to_end_scenario": [
        ("Simulate loss of the primary region", 10),
        ("Fail over database, application and storage", 90),
        ("Customer journey checks: sign-in, payment, consultation", 45),
        ("Fail back and reconcile", 60),
    ],
    "tabletop_exercise": [
        ("Walk through the multi-region outage scenario", 60),
        ("Rehearse the communication matrix and status page", 45),
        ("Review regulatory notification duties", 45),
    ],
}
ISSUES = [
    ("Restore took longer than the runbook estimate", "high"),
    ("On-call contact list was out of date", "medium"),
    ("Monitoring dashboards missing for the secondary region", "medium"),
]
ACTIONS = [
    ("Parallelise the restore and measure it monthly", "high"),
    ("Update the on-call rotation in the contact directory", "medium"),
    ("Add secondary-region dashboards", "medium"),
    ("Automate the WAL replay step in the runbook", "high"),
    ("Pre-warm the standby application caches", "low"),
    ("Alert when the nightly dump is older than 25 hours", "high"),
    ("Document the manual payment fallback with Square", "low"),
]


def load_drill_reports(out) -> None:
    user_model = get_user_model()
    sre = user_model.objects.filter(username="sre").first()
    lead = user_model.objects.filter(username="srelead").first()
    if sre is None or lead is None:
        return
    services = list(Service.objects.filter(kind__in=["service", "data_store"]).order_by("pk"))
    now = timezone.now()
    past = (
        Drill.objects.filter(
            starts_at__lt=now - dt.timedelta(days=3),
            status=Drill.Status.PLANNED,
            report__isnull=True,
        )
        .select_related("drill_type")
        .order_by("starts_at")
    )
    created = 0
    for drill in past:
        if drill.pk % 11 == 0:
            continue  # left unreported: shows as overdue
        _report(drill, sre, lead, services)
        created += 1
    if created:
        out.write(f"Drill reports: filed {created}")


def _report(drill: Drill, sre, lead, services) -> DrillReport:
    failed = drill.pk % 5 == 0
    exercised = [services[(drill.pk + i) % len(services)] for i in range(2)] if services else []
    rto_target = min((s.rto_target_minutes for s in exercised), default=240)
    steps = STEPS.get(drill.drill_type.key, STEPS["database_recovery"])
    total = sum(minutes for _, minutes in steps)
    report = drill_report_start(actor=sre, drill=drill)
    data = ReportData(
        fields={
            "drill_date": timezone.localtime(drill.starts_at).date(),
            "actual_duration_minutes": total + (40 if failed else 5),
            "rto_actual_minutes": rto_target + 30 if failed else max(rto_target - 20, 5),
            "rpo_actual_minutes": 25 if not failed else 90,
            "overall_result": "fail" if failed else "pass",
            "summary": (
                "Recovery exceeded the RTO target; see issues and actions."
                if failed
                else "All steps passed within the recovery objectives."
            ),
        },
        services=exercised,
        participants=[sre, lead],
        steps=[
            {
                "description": text,
                "duration_minutes": minutes,
                "result": "fail" if failed and index == 1 else "pass",
            }
            for index, (text, minutes) in enumerate(steps)
        ],
    )
    if failed:
        issue, severity = ISSUES[drill.pk % len(ISSUES)]
        data.issues = [{"description": issue, "severity": severity}]
        due = timezone.localtime(drill.starts_at).date() + dt.timedelta(days=30)
        title, priority = ACTIONS[drill.pk % len(ACTIONS)]
        owner = sre if drill.pk % 2 else lead
        data.actions = [{"title": title, "owner": owner, "due_date": due, "priority": priority}]
    report = drill_report_save(actor=sre, report=report, data=data)
    if drill.pk % 13 == 0:
        return report  # one left as a draft (its actions proposed), to show resuming
    # Filed the day after the drill, as the team would have: its actions go live then.
    filed = drill.starts_at + dt.timedelta(days=1, hours=2)
    report = drill_report_submit(actor=sre, report=report, now=filed)
    for action in report.actions.all():
        # Most old actions were completed; a few stay open and overdue.
        if action.due_date < timezone.localdate() and action.pk % 3:
            action_transition(actor=action.owner, action=action, status=Action.Status.DONE)
    return report
