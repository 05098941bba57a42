from django.urls import path

from incidents import action_views, views

app_name = "incidents"

urlpatterns = [
    path("actions/", action_views.action_list, name="action-list"),
    path("services/", views.service_list, name="service-list"),
    path("services/new/", views.service_create, name="service-create"),
    path("services/<int:pk>/", views.service_detail, name="service-detail"),
    path("services/<int:pk>/edit/", views.service_edit, name="service-edit"),
]
