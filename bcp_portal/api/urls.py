"""The API router: every app registers its viewsets here, under /api/v1/."""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from bcp_portal.actions.api import ActionViewSet
from bcp_portal.catalogue.api import ServiceViewSet
from bcp_portal.core.api import auth, views
from bcp_portal.core.channels.api import InboxViewSet
from compliance.api import (
    ChangeRequestViewSet,
    RunbookDocumentViewSet,
    RunbookVersionViewSet,
    SignOffViewSet,
)
from compliance.notification_api import FactViewSet, ObligationViewSet, SubmissionViewSet
from compliance.planner_api import DeadlineEvaluateViewSet, RegimeViewSet
from drills.api import DrillViewSet
from drills.report_api import DrillReportViewSet
from incidents.api import IncidentTypeViewSet, IncidentViewSet, TimelineEntryViewSet
from incidents.metric_api import IncidentMetricsViewSet
from incidents.oncall_api import OverrideViewSet, RotationViewSet
from incidents.postmortem_api import CommunicationDraftViewSet, PostMortemViewSet

app_name = "api"

router = DefaultRouter(trailing_slash=False)
router.include_format_suffixes = False
router.register("services", ServiceViewSet, basename="service")
router.register("actions", ActionViewSet, basename="action")
router.register("drills", DrillViewSet, basename="drill")
router.register("drill-reports", DrillReportViewSet, basename="drill-report")
router.register("runbooks", RunbookDocumentViewSet, basename="runbook")
router.register("runbook-versions", RunbookVersionViewSet, basename="runbook-version")
router.register("runbook-changes", ChangeRequestViewSet, basename="runbook-change")
router.register("signoffs", SignOffViewSet, basename="signoff")
# DR metrics: before any "incidents" viewset, whose detail route would take "metrics" as an id.
router.register("incidents/metrics", IncidentMetricsViewSet, basename="incident-metrics")
# Incidents (issue #10)
router.register("incidents", IncidentViewSet, basename="incident")
router.register(
    r"incidents/(?P<incident_pk>[0-9]+)/timeline",
    TimelineEntryViewSet,
    basename="incident-timeline",
)
router.register("incident-types", IncidentTypeViewSet, basename="incident-type")
# Incidents (issue #10): on-call.
router.register("oncall/rotations", RotationViewSet, basename="oncall-rotation")
router.register("oncall/overrides", OverrideViewSet, basename="oncall-override")
# The outbox's in-app channel: one's own inbox.
router.register("inbox", InboxViewSet, basename="inbox")
# Post-mortems and communication drafts (incidents, issue #10)
router.register("postmortems", PostMortemViewSet, basename="postmortem")
router.register("communication-drafts", CommunicationDraftViewSet, basename="communication-draft")
# Notification clocks (compliance, issue #11): the what-if planner and the regimes (read).
router.register("deadlines/evaluate", DeadlineEvaluateViewSet, basename="deadline-evaluate")
router.register("regimes", RegimeViewSet, basename="regime")
# Notification clocks: an incident's facts, the obligations, the submissions.
router.register(r"incidents/(?P<incident_pk>[0-9]+)/facts", FactViewSet, basename="incident-fact")
router.register("obligations", ObligationViewSet, basename="obligation")
router.register("submissions", SubmissionViewSet, basename="submission")

urlpatterns = [
    path("me", views.me, name="me"),
    path("auth/login", auth.TokenLoginView.as_view(), name="token-login"),
    path("auth/logout", auth.TokenLogoutView.as_view(), name="token-logout"),
    path("auth/logoutall", auth.TokenLogoutAllView.as_view(), name="token-logoutall"),
    *router.urls,
    # Last: anything else under /api/v1/ answers in the error shape.
    # [\s\S], not ".": a path with a line break in it (%0A) is still the API's 404.
    re_path(r"^(?P<path>[\s\S]*)$", views.not_found, name="not-found"),
]
