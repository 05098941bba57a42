"""What the runbook pages share: loading rows, a runbook's contents list, and the hard 400
page for bad parameters."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from compliance import markdown
from compliance.models import ChangeRequest, RunbookDocument, RunbookVersion


def get_document(pk: int) -> RunbookDocument:
    return get_object_or_404(RunbookDocument.objects.select_related("owner_user"), pk=pk)


def get_version(pk: int) -> RunbookVersion:
    return get_object_or_404(
        RunbookVersion.objects.select_related(
            "document", "change__author", "change__rejected_by", "created_by", "published_by"
        ),
        pk=pk,
    )


def get_change(pk: int) -> ChangeRequest:
    return get_object_or_404(
        ChangeRequest.objects.select_related("version__document", "version__based_on", "author"),
        pk=pk,
    )


def outline(content: str, *, preamble: bool = False) -> list[tuple[markdown.Section, str]]:
    """The contents list: each heading with its label, and the preamble first when asked
    (the author edits it like any section)."""
    found = markdown.sections(content) if preamble else markdown.outline(content)
    return [(s, markdown.section_label(s)) for s in found]


def bad_request(
    request: HttpRequest, parameter: str, message: str, *, fragment: bool = False
) -> HttpResponse:
    """400 naming the bad parameter: a page, or (`fragment`) just the message, for a part
    of a page loaded in place."""
    return render(
        request,
        "compliance/_bad_parameter.html" if fragment else "compliance/bad_request.html",
        {"parameter": parameter, "message": message},
        status=400,
    )
