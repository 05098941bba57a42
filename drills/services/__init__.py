"""Writes for drills: the calendar (calendar.py) and drill reports (reports.py)."""
