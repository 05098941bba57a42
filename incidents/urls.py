"""Incident pages; on-call, the communication matrix and acknowledgement links come from
`oncall_urls.py`, the DR metrics from `metric_urls.py`."""

from django.urls import path

from incidents import metric_urls, oncall_urls
from incidents.views import pages, writes

app_name = "incidents"

urlpatterns = [
    path("incidents/", pages.incident_list, name="incident-list"),
    path("incidents/new/", writes.incident_declare, name="incident-declare"),
    path("incidents/types/", pages.incident_types, name="type-list"),
    path("incidents/<int:pk>/", pages.incident_detail, name="incident-detail"),
    path("incidents/<int:pk>/edit/", writes.incident_edit, name="incident-edit"),
    path("incidents/<int:pk>/timeline/", writes.timeline_add, name="timeline-add"),
    path("incidents/<int:pk>/status/", writes.incident_status, name="incident-status"),
    path("incidents/<int:pk>/severity/", writes.incident_severity, name="incident-severity"),
    path("incidents/<int:pk>/reopen/", writes.incident_reopen, name="incident-reopen"),
    # DR metrics (the page and its monthly PDF).
    *metric_urls.urlpatterns,
    *oncall_urls.urlpatterns,
]
