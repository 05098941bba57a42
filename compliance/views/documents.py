"""Runbook documents: the list, import, a document's page, proposing a change, recording
a review, editing document control, and a version's Markdown."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bcp_portal.catalogue.selectors import organisation_today
from bcp_portal.core import signing
from bcp_portal.core.filters import filtered_by
from bcp_portal.core.forms import apply_validation_error, submit_form
from bcp_portal.core.paginator import CappedPaginator, page_of
from bcp_portal.core.roles import permission_required, user_roles
from compliance import markdown, page_selectors, selectors, services
from compliance.filters import DocumentFilterSet
from compliance.forms import ChangeOpenForm, DocumentControlForm, ImportForm, ReviewForm
from compliance.models import Classification, ReviewCadence, RunbookDocument, RunbookVersion
from compliance.signables import REVIEW_ROLES, review_hash_of
from compliance.views.common import get_document, get_version, outline

VERSIONS_PER_PAGE = 20


@login_required
@permission_required("compliance.view_runbookdocument")
@require_safe
@filtered_by(DocumentFilterSet)
def document_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    filterset = DocumentFilterSet(params, queryset=RunbookDocument.objects.all(), request=request)
    valid = filterset.is_valid()
    qs = filterset.qs if valid else RunbookDocument.objects.none()
    page, page_error = page_of(CappedPaginator(qs, 25), params)
    user = request.user
    return render(
        request,
        "compliance/document_list.html",
        {
            "page": page,
            "page_error": page_error,
            "filter_form": filterset.form,
            "filtered": any(params.get(name) for name in filterset.filters),
            "states": selectors.DOCUMENT_STATES,
            "classifications": Classification.choices,
            "cadences": ReviewCadence.choices,
            "today": organisation_today(),
            "can_import": user.has_perm(services.PERM_AUTHOR),
            "can_review": user.has_perm(services.PERM_REVIEW),
        },
        status=200 if valid and not page_error else 400,
    )


@login_required
@permission_required(services.PERM_AUTHOR)
@require_http_methods(["GET", "POST"])
def document_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)

    def save(data: dict[str, Any]) -> RunbookVersion:
        try:
            return services.document_import(
                actor=request.user,
                text=form.text,
                change_type=data["change_type"],
                reason=data["reason"],
                doc_id=data["doc_id"],
                title=data["title"],
                owner=data["owner"],
                classification=data["classification"],
                review_cadence=data["review_cadence"],
                next_review=data["next_review"],
            )
        except ValidationError as exc:
            # The text's problems belong to the file field.
            if hasattr(exc, "error_dict") and "content" in exc.error_dict:
                errors = exc.message_dict
                errors["file"] = errors.pop("content")
                raise ValidationError(errors) from None
            raise

    saved = submit_form(
        request,
        form,
        save,
        success=lambda version: (
            f"Imported {version.document.doc_id} as draft {version.label}. Check it, then "
            "submit it for review."
        ),
        redirect_to=services.version_url,
    )
    if saved:
        return saved
    return render(
        request,
        "compliance/document_import.html",
        {"form": form, "can_create": request.user.has_perm(services.PERM_IMPORT)},
        status=400 if request.method == "POST" else 200,
    )


def _review_roles(user: Any) -> list[str]:
    held = user_roles(user)
    return [r for r in REVIEW_ROLES if r in held]


def _document_page(
    request: HttpRequest,
    document: RunbookDocument,
    *,
    current: tuple[RunbookVersion | None, RunbookVersion | None] | None = None,
    change_form: ChangeOpenForm | None = None,
    review_form: ReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The document's page; `current` is its (published, open) version when read already."""
    user = request.user
    if current is None:
        current = page_selectors.published_and_open(document)
    published, open_version = current
    # One document's versions (dozens, not thousands): the page's rows carry their count.
    versions, page_error = page_of(
        page_selectors.VersionRowsPaginator(document, VERSIONS_PER_PAGE), request.GET
    )
    can_author = user.has_perm(services.PERM_AUTHOR) and open_version is None
    review_roles = _review_roles(user) if user.has_perm(services.PERM_REVIEW) else []
    review_hash = ""
    if published is not None and review_roles:
        review_hash = review_hash_of(document, published)  # the version read above
        if review_form is None:
            review_form = ReviewForm(roles=review_roles, initial={"shown_hash": review_hash})
    return render(
        request,
        "compliance/document_detail.html",
        {
            "document": document,
            "published": published,
            "published_html": markdown.render_html(published.content) if published else "",
            "outline": outline(published.content) if published else [],
            "open_version": open_version,
            "page": versions,
            "page_error": page_error,
            "change_form": (change_form or ChangeOpenForm()) if can_author else None,
            "review_form": review_form if review_hash else None,
            "review_hash": review_hash,
            "reviews": signing.signoffs_for(document).order_by("-signed_at"),
            "can_edit_control": user.has_perm(services.PERM_DOCUMENT),
            "today": organisation_today(),
        },
        status=status if not page_error else 400,
    )


@login_required
@permission_required("compliance.view_runbookdocument")
@require_safe
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # The document comes with its published and open version (one query); alone when it
    # has neither.
    document, published, open_version = page_selectors.document_with_current(pk)
    if document is None:
        document = get_document(pk)
    return _document_page(request, document, current=(published, open_version))


@login_required
@permission_required(services.PERM_AUTHOR)
@require_POST
def document_change_open(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document(pk)
    form = ChangeOpenForm(request.POST)
    saved = submit_form(
        request,
        form,
        lambda data: services.change_open(
            actor=request.user,
            document=document,
            change_type=data["change_type"],
            reason=data["reason"],
        ),
        success=lambda version: (
            f"Draft {version.label} opened: edit its sections, then submit it for review."
        ),
        redirect_to=services.version_url,
    )
    if saved:
        return saved
    return _document_page(request, document, change_form=form, status=400)


@login_required
@permission_required(services.PERM_REVIEW)
@require_POST
def document_review(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document(pk)
    roles = _review_roles(request.user)
    if not roles:
        raise PermissionDenied(
            "Recording a review needs one of the roles " + ", ".join(REVIEW_ROLES)
        )
    form = ReviewForm(request.POST, roles=roles)
    if form.is_valid():
        try:
            signoff = services.review_record(
                actor=request.user, document=document, **form.signature()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            messages.error(request, "The review was not recorded: " + " ".join(exc.messages))
        else:
            document.refresh_from_db()
            messages.success(
                request,
                f"Review recorded as {signoff.role}. Next review: {document.next_review:%Y-%m-%d}.",
            )
            return redirect("compliance:document-detail", pk=document.pk)
    return _document_page(request, document, review_form=form, status=400)


@login_required
@permission_required(services.PERM_DOCUMENT)
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document(pk)
    form = DocumentControlForm(request.POST or None, instance=document)
    saved = submit_form(
        request,
        form,
        lambda data: services.document_update(actor=request.user, document=document, **data),
        success=lambda doc: f"Document control of {doc.doc_id} saved.",
        redirect_to=lambda doc: reverse("compliance:document-detail", args=[doc.pk]),
    )
    if saved:
        return saved
    return render(
        request,
        "compliance/document_edit.html",
        {"document": document, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required("compliance.view_runbookversion")
@require_safe
def version_markdown(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_version(pk)
    response = HttpResponse(version.content, content_type="text/markdown; charset=utf-8")
    name = f"{version.document.doc_id}_{version.label}.md"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
