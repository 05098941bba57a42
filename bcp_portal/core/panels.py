"""A dashboard panel: what each app's panel function returns (`bcp_portal.dashboard` lists them)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)
