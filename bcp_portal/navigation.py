"""The navigation, and who sees each entry.

An entry shows when the user holds its permission (superusers hold all); `staff_only`
entries need `is_staff`. docs/ARCHITECTURE.md carries the same table per role, and a test
checks that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from bcp_portal.core.roles import has_role
from compliance.planner import PLANNER_ROLES


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str | None = None
    staff_only: bool = False
    # Dotted path of `(user) -> int` shown beside the label when not zero (one query a page).
    badge: str = ""
    # Other path prefixes under which this entry shows as the current one.
    also_active: tuple[str, ...] = ()
    # Roles the entry is for (superusers too), when its page checks roles, not a permission.
    roles: tuple[str, ...] = ()

    def visible_to(self, user) -> bool:
        if not user.is_authenticated:
            return False
        if self.staff_only and not user.is_staff:
            return False
        if self.roles and not has_role(user, *self.roles):
            return False
        return self.perm is None or user.has_perm(self.perm)

    @property
    def url(self) -> str:
        return reverse(self.url_name)


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Dashboard", "dashboard"),
    # Incidents (issue #10): post-mortems, on call, DR metrics, types and alert intake are
    # tabs of INCIDENT_SECTIONS below, so the top bar fits a laptop's width.
    NavItem(
        "Incidents",
        "incidents:incident-list",
        perm="incidents.view_incident",
        also_active=("/oncall/",),
    ),
    NavItem("Drills", "drills:calendar", perm="drills.view_drill"),
    NavItem("Runbooks", "compliance:document-list", perm="compliance.view_runbookdocument"),
    # The approvals inbox, one click away for those who approve or review runbooks.
    NavItem("Approvals", "compliance:approvals", perm="compliance.review_runbookdocument"),
    # The compliance desk: every incident's regulatory notification clocks by time left;
    # then the what-if deadline planner, for the DPO and Legal Counsel.
    NavItem("Compliance", "regulatory:desk", perm="compliance.view_obligation"),
    NavItem("Planner", "planner:planner", roles=PLANNER_ROLES),
    NavItem("Actions", "actions:action-list", perm="actions.view_action"),
    NavItem("Services", "catalogue:service-list", perm="catalogue.view_service"),
    NavItem("Contacts", "contacts:contact-list", perm="contacts.view_contact"),
    # The outbox's channels: everyone's inbox with its unread count; the SRE Lead's targets.
    NavItem(
        "Inbox", "notifications:inbox", badge="bcp_portal.core.channels.selectors.unread_count"
    ),
    NavItem("Notifications", "notifications:target-list", perm="core.view_notificationtarget"),
    NavItem("API", "api-docs"),
    NavItem("Admin", "admin:index", staff_only=True),
)


# The incident pages' own tabs (shown under the top bar on every page under Incidents).
INCIDENT_SECTIONS: tuple[NavItem, ...] = (
    NavItem("Incidents", "incidents:incident-list", perm="incidents.view_incident"),
    NavItem("Post-mortems", "postmortems:list", perm="incidents.view_postmortem"),
    # Who is on call, overrides, the communication matrix.
    NavItem("On call", "incidents:oncall", perm="incidents.view_oncallrotation"),
    NavItem("DR metrics", "incidents:metrics", perm="incidents.view_incident"),
    NavItem("Types", "incidents:type-list", perm="incidents.view_incidenttype"),
    NavItem("Alert intake", "intake:source-list", perm="incidents.view_intakesource"),
)


@dataclass(frozen=True)
class IncidentTab:
    """A page of one incident, shown as a tab on each of them (`routes`: the view names,
    the incident's id as `pk`, under which this tab is the current one)."""

    label: str
    url_name: str
    perm: str
    routes: tuple[str, ...] = ()

    def url_for(self, pk: int) -> str:
        return reverse(self.url_name, args=[pk])


# One incident's own pages: the incident, and (compliance) its regulatory notifications.
INCIDENT_TABS: tuple[IncidentTab, ...] = (
    IncidentTab(
        "Incident",
        "incidents:incident-detail",
        perm="incidents.view_incident",
        routes=(
            "incidents:incident-detail",
            "incidents:timeline-add",
            "incidents:incident-status",
            "incidents:incident-severity",
            "incidents:incident-reopen",
        ),
    ),
    IncidentTab(
        "Notifications",
        "regulatory:incident",
        perm="compliance.view_obligation",
        routes=(
            "regulatory:incident",
            "regulatory:fact-record",
            "regulatory:obligation-add",
            "regulatory:obligation-waive",
            "regulatory:submission-record",
        ),
    ),
)


def incident_tabs_for(user, view_name: str, pk: int) -> list[dict]:
    """The tabs of one incident's pages when `view_name` is one of them and the user sees
    more than one: label, url and whether it is the current one."""
    if not user.is_authenticated or not any(view_name in tab.routes for tab in INCIDENT_TABS):
        return []
    visible = [tab for tab in INCIDENT_TABS if user.has_perm(tab.perm)]
    if len(visible) < 2:
        return []
    return [
        {"label": tab.label, "url": tab.url_for(pk), "active": view_name in tab.routes}
        for tab in visible
    ]


def navigation_for(user) -> list[NavItem]:
    return [item for item in NAVIGATION if item.visible_to(user)]


def incident_sections_for(user) -> list[NavItem]:
    return [item for item in INCIDENT_SECTIONS if item.visible_to(user)]


def current_section(path: str, items: list[NavItem]) -> NavItem | None:
    """The entry whose address (or `also_active` prefix) is the longest prefix of `path`."""
    best, length = None, 0
    for item in items:
        for prefix in (item.url, *item.also_active):
            if path.startswith(prefix) and len(prefix) > length:
                best, length = item, len(prefix)
    return best
