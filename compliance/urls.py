"""Runbook pages (the pages' helper replaces the placeholder views)."""

from django.urls import path

from compliance import report_views, views

app_name = "compliance"

urlpatterns = [
    path("runbooks/", views.placeholder, name="document-list"),
    path("runbooks/<int:pk>/", views.placeholder, name="document-detail"),
    path("runbooks/versions/<int:pk>/", views.placeholder, name="version-detail"),
    path("runbooks/versions/<int:pk>/pdf/", report_views.version_pdf, name="version-pdf"),
    path("runbooks/approvals/", views.placeholder, name="approvals"),
]
