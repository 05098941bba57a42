"""Break-glass copies of published runbooks outside the portal (to be completed)."""

from __future__ import annotations

from compliance.models import RunbookVersion


def copies_plan(version: RunbookVersion) -> None:
    """Create a pending BreakGlassCopy per configured target (none configured yet)."""


def copies_write(*, version_id: int) -> None:
    """Write the pending copies of a version (nothing configured yet)."""
