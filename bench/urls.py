"""The portal's URLs plus the bench-only baseline views (mounted only by bench.settings)."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/baseline/<slug:table>", views.baseline, name="bench-baseline"),
    path("bench/plain-post", views.plain_post, name="bench-plain-post"),
    path("bench/plain-write", views.plain_write, name="bench-plain-write"),
    path("bench/direct-pdf/<slug:document>", views.direct_pdf, name="bench-direct-pdf"),
    path("", include("bcp_portal.urls")),
]
