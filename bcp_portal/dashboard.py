"""The dashboard is a list of panels; each app contributes its own.

A panel is a function `(user) -> Panel | None` (None hides it for that user). Add a dotted
path to PANELS and the dashboard shows it; order here is order on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.module_loading import import_string

PANELS = [
    "drills.selectors.my_drills_panel",
    "incidents.selectors.my_actions_panel",
    "incidents.selectors.catalogue_panel",
    "bcp_portal.selectors.outbox_panel",
]


@dataclass
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)


def panels_for(user) -> list[Panel]:
    result = []
    for path in PANELS:
        panel = import_string(path)(user)
        if panel is not None:
            result.append(panel)
    return result
