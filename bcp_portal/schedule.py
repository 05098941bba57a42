"""Every periodic job of the portal, in one place.

Periodic jobs select a window plus a "done" marker, never an exact date, so a worker that
was down catches up on its next run and a job that runs twice does nothing the second time.
"""


BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "bcp_portal.outbox.sweep",
        "schedule": 60.0,
    },
}
