"""Alert intake: the SRE Lead's pages and the monitors' endpoints (token only)."""

from django.urls import path

from incidents import intake_api, intake_views

app_name = "intake"

urlpatterns = [
    path("incidents/intake/", intake_views.source_list, name="source-list"),
    path("incidents/intake/new/", intake_views.source_create, name="source-create"),
    path("incidents/intake/<int:pk>/", intake_views.source_detail, name="source-detail"),
    path("incidents/intake/<int:pk>/revoke/", intake_views.source_revoke, name="source-revoke"),
    path("api/intake/alertmanager", intake_api.alertmanager, name="alertmanager"),
    path("api/intake/generic", intake_api.generic, name="generic"),
]
