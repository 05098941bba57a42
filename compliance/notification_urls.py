"""The notification clocks' pages: the compliance desk and each incident's notifications
(included from bcp_portal.urls; the planner has its own)."""

from django.urls import path

from compliance import desk_views

app_name = "regulatory"

urlpatterns = [
    path("compliance/desk/", desk_views.desk, name="desk"),
    path("incidents/<int:pk>/notifications/", desk_views.incident_notifications, name="incident"),
    path("incidents/<int:pk>/notifications/facts/", desk_views.fact_record, name="fact-record"),
    path(
        "incidents/<int:pk>/notifications/obligations/",
        desk_views.obligation_add,
        name="obligation-add",
    ),
    path(
        "incidents/<int:pk>/notifications/obligations/<int:obligation>/waive/",
        desk_views.obligation_waive,
        name="obligation-waive",
    ),
    path(
        "incidents/<int:pk>/notifications/obligations/<int:obligation>/submissions/",
        desk_views.submission_record,
        name="submission-record",
    ),
    path(
        "incidents/<int:pk>/notifications/submissions/<int:submission>/attachment",
        desk_views.submission_attachment,
        name="submission-attachment",
    ),
    path(
        "incidents/<int:pk>/notifications/pack.pdf",
        desk_views.notification_pack,
        name="pack",
    ),
]
