from django.urls import path

from incidents import action_views, views

app_name = "incidents"

urlpatterns = [
    path("actions/", action_views.action_list, name="action-list"),
    path("actions/mine/", action_views.action_mine, name="action-mine"),
    path("actions/<int:pk>/", action_views.action_detail, name="action-detail"),
    path("actions/<int:pk>/edit/", action_views.action_edit, name="action-edit"),
    path(
        "actions/<int:pk>/transition/",
        action_views.action_transition,
        name="action-transition",
    ),
    path("services/", views.service_list, name="service-list"),
    path("services/new/", views.service_create, name="service-create"),
    path("services/catalogue.pdf", views.service_catalogue_pdf, name="service-catalogue-pdf"),
    path(
        "services/catalogue/report/",
        views.service_catalogue_report,
        name="service-catalogue-report",
    ),
    path("services/<int:pk>/", views.service_detail, name="service-detail"),
    path("services/<int:pk>/edit/", views.service_edit, name="service-edit"),
]
