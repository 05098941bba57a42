"""Reads shared by drill pages, the API, reports and the dashboard."""

from __future__ import annotations


def my_drills_panel(user):
    """Dashboard: drills due and overdue for the user (filled in by the calendar work)."""
    return None
