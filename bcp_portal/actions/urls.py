from django.urls import path

from bcp_portal.actions import views

app_name = "actions"

urlpatterns = [
    path("actions/", views.action_list, name="action-list"),
    path("actions/mine/", views.action_mine, name="action-mine"),
    path("actions/<int:pk>/", views.action_detail, name="action-detail"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action-edit"),
    path(
        "actions/<int:pk>/transition/",
        views.action_transition,
        name="action-transition",
    ),
]
