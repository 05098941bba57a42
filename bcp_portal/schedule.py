"""Every periodic job of the portal, in one place.

Periodic jobs select a window plus a "done" marker, never an exact date, so a worker that
was down catches up on its next run and a job that runs twice does nothing the second time.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "drills-generate-calendar": {
        "task": "drills.generate_calendar",
        "schedule": crontab(minute=15, hour=2),
    },
    "drills-reminders": {
        "task": "drills.send_reminders",
        "schedule": crontab(minute=5),
    },
    "actions-reminders": {
        "task": "actions.reminders",
        "schedule": crontab(minute=10),
    },
    "submission-keys-prune": {
        "task": "core.submission_keys.prune",
        "schedule": crontab(minute=40, hour=3),
    },
    "compliance-approval-reminders": {
        "task": "compliance.approval_reminders",
        "schedule": crontab(minute=20),
    },
    "compliance-review-reminders": {
        "task": "compliance.review_reminders",
        "schedule": crontab(minute=25, hour=7),
    },
    "compliance-break-glass-sweep": {
        "task": "compliance.break_glass_sweep",
        "schedule": crontab(minute="*/10"),
    },
    # Incidents (issue #10): the paging chain's due steps and missed notice deadlines.
    "incidents-escalation-advance": {
        "task": "incidents.escalation_advance",
        "schedule": 60.0,
    },
    # The break-glass directory and on-call rota: the four-week window moves daily.
    "compliance-break-glass-directory": {
        "task": "compliance.break_glass_directory_write",
        "schedule": crontab(minute=50, hour=3),
    },
    # Notification clocks (issue #11): reminders at the window's points and when overdue,
    # the DPO's daily alert about provisional clocks, and incidents changed lately evaluated
    # again (in case the task their change enqueued was not published).
    "compliance-deadline-reminders": {
        "task": "compliance.deadline_reminders",
        "schedule": crontab(minute="*/10"),
    },
    "compliance-obligations-sweep": {
        "task": "compliance.obligations_sweep",
        "schedule": crontab(minute="5-59/10"),
    },
    "outbox-sweep": {
        "task": "core.outbox.sweep",
        "schedule": 60.0,
    },
}
