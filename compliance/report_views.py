"""The PDF of a runbook version (the pages' helper owns the other runbook views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from bcp_portal.core.exports import start_export
from bcp_portal.core.pdf import pdf_response
from bcp_portal.core.roles import permission_required
from compliance.reports import (
    RUNBOOK_PDF_DIRECT_MAX_CHARS,
    VERSION_EXPORT,
    renders_in_the_request,
    version_document,
    version_filename,
    version_queryset,
)
from compliance.services import version_url


@login_required
@permission_required("compliance.view_runbookversion")
@require_http_methods(["GET", "HEAD", "POST"])
def version_pdf(request, pk: int):
    """A version's PDF, named <doc_id>_<label>.pdf. One of up to RUNBOOK_PDF_DIRECT_MAX_CHARS
    characters is rendered and streamed at once; a longer one is rendered by a worker
    (`bcp_portal.core.exports`, as drills does for a long report): GET offers to prepare it,
    POST starts it and sends the reader to the progress page, which offers the download."""
    version = get_object_or_404(version_queryset(), pk=pk)
    if renders_in_the_request(version):
        template, context, filename = version_document(version)
        return pdf_response(request, template=template, context=context, filename=filename)
    if request.method == "POST":
        progress = start_export(
            user=request.user,
            kind=VERSION_EXPORT,
            params={"version": version.pk},
            title=f"{version_filename(version)} (runbook version PDF)",
        )
        return redirect(progress)
    return render(
        request,
        "compliance/version_pdf_prepare.html",
        {
            "version": version,
            "document": version.document,
            "chars": len(version.content),
            "max_chars": RUNBOOK_PDF_DIRECT_MAX_CHARS,
            "version_url": version_url(version),
        },
    )
