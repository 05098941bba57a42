"""A dashboard panel: what each app's panel function returns (`bcp_portal.dashboard` lists them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Panel:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
