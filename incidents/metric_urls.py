"""The DR metrics' pages, included by `incidents/urls.py`."""

from django.urls import path

from incidents import metric_views

urlpatterns = [
    path("incidents/metrics/", metric_views.metrics_page, name="metrics"),
    path("incidents/metrics/report.pdf", metric_views.metrics_pdf, name="metrics-pdf"),
]
