from django.urls import path

from bcp_portal.core.channels import views

app_name = "notifications"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.inbox_read, name="inbox-read"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox-read-all"),
    path("notifications/targets/", views.target_list, name="target-list"),
    path("notifications/targets/new/", views.target_create, name="target-create"),
    path("notifications/targets/<int:pk>/edit/", views.target_edit, name="target-edit"),
    path("notifications/failing/", views.failing_deliveries, name="failing"),
]
