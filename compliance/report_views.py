"""The PDF of a runbook version (the pages' helper owns the other runbook views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_safe

from bcp_portal.core.pdf import pdf_response
from bcp_portal.core.roles import permission_required
from compliance.reports import (
    RUNBOOK_PDF_DIRECT_MAX_CHARS,
    renders_in_the_request,
    version_document,
    version_queryset,
)
from compliance.services import version_url


@login_required
@permission_required("compliance.view_runbookversion")
@require_safe
def version_pdf(request, pk: int):
    """A version's PDF, named <doc_id>_<label>.pdf. A version longer than
    RUNBOOK_PDF_DIRECT_MAX_CHARS is not rendered while the reader waits: they are sent back
    to the version with the reason (its break-glass copy and the export hold the PDF)."""
    version = get_object_or_404(version_queryset(), pk=pk)
    if not renders_in_the_request(version):
        messages.info(
            request,
            f"Version {version.label} holds {len(version.content):,} characters; a PDF is "
            f"rendered while you wait up to {RUNBOOK_PDF_DIRECT_MAX_CHARS:,}. Its "
            "break-glass copy holds the PDF once it is published.",
        )
        return redirect(version_url(version))
    template, context, filename = version_document(version)
    return pdf_response(request, template=template, context=context, filename=filename)
