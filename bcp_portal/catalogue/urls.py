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
    # The organisation: its legal entities and the authorities it notifies (issue #11).
    path("organisation/", views.organisation, name="organisation"),
    path("organisation/entities/new/", views.legal_entity_create, name="entity-create"),
    path("organisation/entities/<int:pk>/edit/", views.legal_entity_edit, name="entity-edit"),
    path("organisation/authorities/new/", views.authority_create, name="authority-create"),
    path("organisation/authorities/<int:pk>/edit/", views.authority_edit, name="authority-edit"),
]
