"""A version and its change: the page, the section editor, submit, change type and reason,
withdraw, publish, and the side-by-side diff between two versions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bcp_portal.core.forms import submit_form
from bcp_portal.core.roles import permission_required, user_roles
from compliance import diffing, markdown, page_selectors, services
from compliance.forms import ChangeUpdateForm, SectionEditForm, WithdrawForm
from compliance.models import RunbookVersion
from compliance.views.common import bad_request, get_version, outline

EDIT_VOIDS = (
    "Saving an edit after approvers signed voids their signatures: the change goes back to "
    "them, and each must sign the new content again."
)


def _is_author(request: HttpRequest, version: RunbookVersion) -> bool:
    return version.change.author_id == request.user.pk and request.user.has_perm(
        services.PERM_AUTHOR
    )


def _version_page(
    request: HttpRequest,
    version: RunbookVersion,
    *,
    update_form: ChangeUpdateForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    change = version.change
    is_author = _is_author(request, version)
    editable = is_author and version.is_open
    may_publish = user.has_perm(services.PERM_PUBLISH)
    states, voided, current_hash = page_selectors.role_states(change)
    held = user_roles(user)
    can_sign = version.status == RunbookVersion.Status.IN_REVIEW and any(
        s.role in held and s.approval is None for s in states
    )
    return render(
        request,
        "compliance/version_detail.html",
        {
            "version": version,
            "document": version.document,
            "change": change,
            "based_on": version.based_on,
            "is_author": is_author,
            "editable": editable,
            "content_html": markdown.render_html(version.content),
            # The author edits from the contents list: one render of the whole text.
            "outline": outline(version.content, preamble=editable),
            "edit_version": version if editable else None,
            "states": states,
            "voided": voided,
            "current_hash": current_hash,
            "can_sign": can_sign and not is_author,
            "can_submit": is_author and version.status == RunbookVersion.Status.DRAFT,
            "update_form": (
                update_form
                or ChangeUpdateForm(
                    initial={"change_type": change.change_type, "reason": change.reason}
                )
            )
            if editable
            else None,
            "withdraw_form": (withdraw_form or WithdrawForm())
            if version.is_open and (is_author or may_publish)
            else None,
            "can_publish": may_publish and version.status == RunbookVersion.Status.APPROVED,
            "edit_voids": EDIT_VOIDS,
        },
        status=status,
    )


@login_required
@permission_required("compliance.view_runbookversion")
@require_safe
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _version_page(request, get_version(pk))


def _refused(request: HttpRequest, version: RunbookVersion, exc: ValidationError) -> HttpResponse:
    messages.error(request, " ".join(exc.messages))
    return redirect(services.version_url(version))


@login_required
@permission_required(services.PERM_AUTHOR)
@require_POST
def version_submit(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_version(pk)
    if version.status == RunbookVersion.Status.IN_REVIEW and _is_author(request, version):
        messages.info(request, "Already submitted: it is in review.")
        return redirect(services.version_url(version))
    try:
        change = services.change_submit(actor=request.user, change=version.change)
    except ValidationError as exc:
        return _refused(request, version, exc)
    messages.success(request, f"Submitted for review. {change.rule_text}.")
    return redirect(services.version_url(version))


@login_required
@permission_required(services.PERM_AUTHOR)
@require_POST
def version_change_update(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_version(pk)
    if not _is_author(request, version):
        raise PermissionDenied("Only the change's author changes its type or reason.")
    form = ChangeUpdateForm(request.POST)
    saved = submit_form(
        request,
        form,
        lambda data: services.change_update(actor=request.user, change=version.change, **data),
        success=lambda change: "Change type and reason saved.",
        redirect_to=services.version_url(version),
    )
    return saved or _version_page(request, version, update_form=form, status=400)


@login_required
@permission_required("compliance.view_runbookversion")
@require_POST
def version_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_version(pk)
    if not (_is_author(request, version) or request.user.has_perm(services.PERM_PUBLISH)):
        raise PermissionDenied("Only the change's author or a publisher withdraws it.")
    form = WithdrawForm(request.POST)
    saved = submit_form(
        request,
        form,
        lambda data: services.change_withdraw(
            actor=request.user, change=version.change, reason=data["reason"]
        ),
        success=lambda change: f"Version {version.label} withdrawn.",
        redirect_to=services.version_url(version),
    )
    return saved or _version_page(request, version, withdraw_form=form, status=400)


@login_required
@permission_required(services.PERM_PUBLISH)
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_version(pk)
    if version.status == RunbookVersion.Status.PUBLISHED:
        messages.info(request, f"{version.label} is already published.")
        return redirect(services.version_url(version))
    try:
        services.version_publish(actor=request.user, version=version)
    except ValidationError as exc:
        return _refused(request, version, exc)
    messages.success(
        request,
        f"{version.document.doc_id} {version.label} is published; the break-glass copies "
        "are being written.",
    )
    return redirect(services.version_url(version))


@login_required
@permission_required(services.PERM_AUTHOR)
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    version = get_version(pk)
    if not _is_author(request, version):
        raise PermissionDenied(
            f"Only the change's author, {version.change.author}, edits this version."
        )
    if not version.is_open:
        messages.info(
            request,
            f"Version {version.label} is {version.get_status_display().lower()}; it no "
            "longer changes.",
        )
        return redirect(services.version_url(version))
    section = next((s for s in markdown.sections(version.content) if s.key == key), None)
    if section is None:
        raise Http404("The version has no such section (it may have changed meanwhile).")
    form = SectionEditForm(
        request.POST if request.method == "POST" else None,
        initial={"text": section.own_text, "content_sha256": version.content_sha256},
    )
    saved = submit_form(
        request,
        form,
        lambda data: services.version_section_edit(
            actor=request.user,
            version=version,
            key=key,
            text=data["text"],
            shown_sha256=data["content_sha256"],
        ),
        success=lambda saved: f"Section “{markdown.section_label(section)}” saved.",
        redirect_to=f"{services.version_url(version)}#{key}",
    )
    if saved:
        return saved
    signed = version.status in (RunbookVersion.Status.IN_REVIEW, RunbookVersion.Status.APPROVED)
    return render(
        request,
        "compliance/section_edit.html",
        {
            "version": version,
            "section": section,
            "label": markdown.section_label(section),
            "form": form,
            "shown_sha256": form["content_sha256"].value() or version.content_sha256,
            "in_review": signed,
            "edit_voids": EDIT_VOIDS,
        },
        status=400 if request.method == "POST" else 200,
    )


def _version_param(request: HttpRequest, name: str) -> RunbookVersion | str:
    raw = request.GET.get(name, "")
    if not raw:
        return f"Give “{name}”: the id of a version to compare."
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10 or int(raw) > 2**31 - 1:
        return f"“{name}” must be a version id (a whole number); got “{raw[:40]}”."
    version = RunbookVersion.objects.select_related("document").filter(pk=int(raw)).first()
    if version is None:
        return f"“{name}”: no version has the id {raw}."
    return version


def _compared(
    request: HttpRequest, *, fragment: bool = False
) -> tuple[RunbookVersion, RunbookVersion] | HttpResponse:
    """The versions "from" and "to" name, or the 400 answer that says which is wrong."""
    found: dict[str, RunbookVersion] = {}
    for name in ("from", "to"):
        value = _version_param(request, name)
        if isinstance(value, str):
            return bad_request(request, name, value, fragment=fragment)
        found[name] = value
    old, new = found["from"], found["to"]
    if old.document_id != new.document_id:
        return bad_request(
            request,
            "to",
            f"“to” is a version of {new.document.doc_id}, “from” of {old.document.doc_id}: "
            "compare two versions of the same document.",
            fragment=fragment,
        )
    return old, new


@login_required
@permission_required("compliance.view_runbookversion")
@require_safe
def diff(request: HttpRequest) -> HttpResponse:
    compared = _compared(request)
    if isinstance(compared, HttpResponse):
        return compared
    old, new = compared
    return render(
        request,
        "compliance/diff.html",
        {"old": old, "new": new, "document": new.document, **diff_context(old, new)},
    )


@login_required
@permission_required("compliance.view_runbookversion")
@require_safe
def diff_sections(request: HttpRequest) -> HttpResponse:
    """The diff page's per-section part alone, for a page that loads it in place (the
    approvals inbox, on "Show the changes")."""
    compared = _compared(request, fragment=True)
    if isinstance(compared, HttpResponse):
        return compared
    old, new = compared
    return render(
        request,
        "compliance/_diff.html",
        {"old_label": old.label, "new_label": new.label, **diff_context(old, new)},
    )


def diff_context(old: RunbookVersion | None, new: RunbookVersion) -> dict[str, Any]:
    """The per-section diff and its summary, for the diff page and the sign page."""
    sections = diffing.section_diff(old.content if old else "", new.content)
    shown = [d for d in sections if d.status != "same"]
    return {
        "diffs": shown,
        "unchanged": [d for d in sections if d.status == "same"],
        "summary": {
            "added": sum(1 for d in shown if d.status == "added"),
            "removed": sum(1 for d in shown if d.status == "removed"),
            "changed": sum(1 for d in shown if d.status == "changed"),
            "lines_added": sum(d.added for d in shown),
            "lines_removed": sum(d.removed for d in shown),
            "lines_changed": sum(d.changed for d in shown),
        },
    }
