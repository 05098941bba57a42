from django.urls import path

from bcp_portal.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("services/", views.service_list, name="service-list"),
    path("services/new/", views.service_create, name="service-create"),
    path("services/catalogue.pdf", views.service_catalogue_pdf, name="service-catalogue-pdf"),
    path(
        "services/catalogue/export/",
        views.service_catalogue_export,
        name="service-catalogue-export",
    ),
    path("services/<int:pk>/", views.service_detail, name="service-detail"),
    path("services/<int:pk>/edit/", views.service_edit, name="service-edit"),
]
