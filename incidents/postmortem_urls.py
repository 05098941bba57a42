"""Post-mortem and communication draft pages, in their own namespace (`postmortems`) so the
incident pages' own URL conf stays theirs."""

from django.urls import path

from incidents import communication_views, postmortem_views

app_name = "postmortems"

urlpatterns = [
    path("incidents/postmortems/", postmortem_views.postmortem_list, name="list"),
    path("incidents/<int:pk>/postmortem/", postmortem_views.postmortem_detail, name="detail"),
    path("incidents/<int:pk>/postmortem/start/", postmortem_views.postmortem_start, name="start"),
    path("incidents/<int:pk>/postmortem/edit/", postmortem_views.postmortem_edit, name="edit"),
    path(
        "incidents/<int:pk>/postmortem/submit/", postmortem_views.postmortem_submit, name="submit"
    ),
    path("incidents/<int:pk>/postmortem/sign/", postmortem_views.postmortem_sign, name="sign"),
    path(
        "incidents/<int:pk>/postmortem/publish/",
        postmortem_views.postmortem_publish,
        name="publish",
    ),
    path(
        "incidents/<int:pk>/postmortem/revise/", postmortem_views.postmortem_revise, name="revise"
    ),
    path("incidents/<int:pk>/postmortem/pdf/", postmortem_views.postmortem_pdf, name="pdf"),
    path(
        "incidents/<int:pk>/communications/",
        communication_views.communications,
        name="communications",
    ),
    path(
        "incidents/<int:pk>/communications/<int:draft_pk>/",
        communication_views.draft_edit,
        name="draft-edit",
    ),
    path(
        "incidents/<int:pk>/communications/<int:draft_pk>/used/",
        communication_views.draft_used,
        name="draft-used",
    ),
]
