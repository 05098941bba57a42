"""Drills: the calendar, drill reports, backup checks (models arrive with their issues)."""
