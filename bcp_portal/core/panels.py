"""A dashboard panel: what each app's panel function returns (`bcp_portal.dashboard` lists them).

A panel function is declared with `@panel(title=..., shown_to=rule)`: `rule(user)` is the one
answer to who sees it (a permission, a role), so the dashboard's frame can list the boxes a
person sees without computing any panel, and each box then loads its panel on its own
(`bcp_portal.views.dashboard_panel`). Calling the function checks the rule first and answers
None for anyone it leaves out; the function's own body may still answer None when it has
nothing for someone the rule lets in (the approvals panel, for a role no rule names).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bcp_portal.core.typehints import Actor


@dataclass
class Panel:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PanelFunction:
    """A panel function with its title (shown while its box loads) and who sees it."""

    compute: Callable[[Actor], Panel | None]
    title: str
    rule: Callable[[Actor], bool]

    def shown_to(self, user: Actor) -> bool:
        return bool(user.is_authenticated and self.rule(user))

    def __call__(self, user: Actor) -> Panel | None:
        return self.compute(user) if self.shown_to(user) else None


def panel(
    *, title: str, shown_to: Callable[[Actor], bool]
) -> Callable[[Callable[[Actor], Panel | None]], PanelFunction]:
    """Declares a dashboard panel function: `title` while it loads, `shown_to(user)` who
    sees it (checked before the function runs, and by the dashboard's frame alone)."""

    def declare(compute: Callable[[Actor], Panel | None]) -> PanelFunction:
        return PanelFunction(compute=compute, title=title, rule=shown_to)

    return declare
