"""Runbook pages."""

from django.urls import path

from compliance import report_views
from compliance.views import approvals, documents, versions

app_name = "compliance"

urlpatterns = [
    path("runbooks/", documents.document_list, name="document-list"),
    path("runbooks/import/", documents.document_import, name="document-import"),
    path("runbooks/approvals/", approvals.approvals, name="approvals"),
    path("runbooks/diff/", versions.diff, name="diff"),
    path("runbooks/diff/sections/", versions.diff_sections, name="diff-sections"),
    path("runbooks/<int:pk>/", documents.document_detail, name="document-detail"),
    path("runbooks/<int:pk>/edit/", documents.document_edit, name="document-edit"),
    path("runbooks/<int:pk>/change/", documents.document_change_open, name="change-open"),
    path("runbooks/<int:pk>/review/", documents.document_review, name="document-review"),
    path("runbooks/versions/<int:pk>/", versions.version_detail, name="version-detail"),
    path(
        "runbooks/versions/<int:pk>/markdown", documents.version_markdown, name="version-markdown"
    ),
    path("runbooks/versions/<int:pk>/submit/", versions.version_submit, name="version-submit"),
    path(
        "runbooks/versions/<int:pk>/change/",
        versions.version_change_update,
        name="version-change-update",
    ),
    path(
        "runbooks/versions/<int:pk>/withdraw/", versions.version_withdraw, name="version-withdraw"
    ),
    path("runbooks/versions/<int:pk>/publish/", versions.version_publish, name="version-publish"),
    path(
        "runbooks/versions/<int:pk>/sections/<str:key>/edit/",
        versions.section_edit,
        name="section-edit",
    ),
    path("runbooks/changes/<int:pk>/sign/", approvals.change_sign, name="change-sign"),
    path("runbooks/versions/<int:pk>/pdf/", report_views.version_pdf, name="version-pdf"),
]
