from django.urls import path

from incidents import ack_views, oncall_views

urlpatterns = [
    path("oncall/", oncall_views.oncall, name="oncall"),
    path("oncall/overrides/new/", oncall_views.override_add, name="override-add"),
    path("oncall/matrix/", oncall_views.communication_matrix, name="communication-matrix"),
    path(
        "incidents/<int:pk>/escalation/",
        oncall_views.incident_escalation,
        name="incident-escalation",
    ),
    # Public: the signed link is the credential (incidents/ack_views.py).
    path("incidents/ack/<str:token>/", ack_views.page_ack, name="page-ack"),
]
