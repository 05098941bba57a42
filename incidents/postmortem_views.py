"""Post-mortem pages, under /incidents/<incident pk>/postmortem/: the post-mortem, start it,
edit the draft (sections, lessons and action items inline), submit, sign (the SRE Lead,
re-authenticating), publish, revise, PDF; and the list of post-mortems."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bcp_portal.core import signing
from bcp_portal.core.filters import filtered_by
from bcp_portal.core.forms import (
    already_saved,
    apply_validation_error,
    earlier_submission,
    save_once,
    submit_form,
)
from bcp_portal.core.integrity import as_validation_error
from bcp_portal.core.models import SignOff
from bcp_portal.core.paginator import CappedPaginator, page_of
from bcp_portal.core.pdf import pdf_response
from bcp_portal.core.roles import SRE_LEAD, has_role, permission_required
from bcp_portal.core.submissions import AlreadySubmitted
from incidents import postmortem_selectors as selectors
from incidents.models import Incident
from incidents.models_postmortems import (
    POSTMORTEM_ACTIONS_MAX,
    POSTMORTEM_LESSONS_MAX,
    PostMortem,
)
from incidents.postmortem_filters import PostMortemFilterSet
from incidents.postmortem_forms import (
    ActionItemFormSet,
    LessonFormSet,
    PostMortemForm,
    PostMortemStartForm,
    ReviseForm,
    SignForm,
)
from incidents.reports import postmortem_document
from incidents.services import postmortems as services

PERM_VIEW = "incidents.view_postmortem"
SECTIONS = ("lessons", "actions")
CANONICAL_FORM = (
    "SHA-256 of the post-mortem's text, timeline, lessons and actions, canonical form v1"
)


def _get(incident_pk: int) -> PostMortem:
    return get_object_or_404(selectors.postmortem_detail_queryset(), incident_id=incident_pk)


@login_required
@permission_required(PERM_VIEW)
@require_safe
@filtered_by(PostMortemFilterSet)
def postmortem_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    filterset = PostMortemFilterSet(
        params, queryset=selectors.postmortem_list(user=request.user), request=request
    )
    valid = filterset.is_valid()
    qs = filterset.qs if valid else filterset.queryset.none()
    page, page_error = page_of(CappedPaginator(qs, 25), params)
    return render(
        request,
        "incidents/postmortems/list.html",
        {
            "page": page,
            "page_error": page_error,
            "filter_form": filterset.form,
            "statuses": PostMortem.Status.choices,
        },
        status=200 if valid and not page_error else 400,
    )


@login_required
@permission_required(PERM_VIEW)
@require_safe
def postmortem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = _get(pk)
    user = request.user
    may_edit = services.postmortem_may_edit(user, postmortem)
    _, context, _ = postmortem_document(postmortem)
    return render(
        request,
        "incidents/postmortems/detail.html",
        {
            **context,
            "may_edit": may_edit and postmortem.is_editable,
            "may_submit": may_edit and postmortem.is_editable,
            "may_publish": may_edit and postmortem.status == PostMortem.Status.APPROVED,
            "may_revise": may_edit and postmortem.status == PostMortem.Status.PUBLISHED,
            "may_sign": postmortem.status == PostMortem.Status.IN_REVIEW
            and has_role(user, SRE_LEAD),
            "revise_form": ReviseForm(),
        },
    )


@login_required
@permission_required(services.PERM_ADD)
@require_http_methods(["GET", "POST"])
def postmortem_start(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident, pk=pk)
    existing = PostMortem.objects.filter(incident=incident).first()
    if existing is not None:
        messages.info(request, "This incident has its post-mortem already.")
        return redirect(existing)
    refusal = services.postmortem_refusal(incident)
    form = PostMortemStartForm(request.POST or None, initial={"title": incident.title})
    if not refusal:
        done = submit_form(
            request,
            form,
            lambda data: services.postmortem_start(
                actor=request.user, incident=incident, title=data["title"]
            ),
            success=lambda pm: (
                "Post-mortem started: a draft only you and the incident's people change."
            ),
            redirect_to=lambda pm: f"{pm.get_absolute_url()}edit/",
        )
        if done is not None:
            return done
    status = 400 if request.method == "POST" or refusal else 200
    return render(
        request,
        "incidents/postmortems/start.html",
        {"incident": incident, "form": form, "refusal": refusal},
        status=status,
    )


def _initial_forms(
    postmortem: PostMortem,
) -> tuple[PostMortemForm, LessonFormSet, ActionItemFormSet]:
    form = PostMortemForm(initial={name: getattr(postmortem, name) for name in services.FIELDS})
    lessons = LessonFormSet(
        prefix="lessons",
        initial=[
            {"id": lesson.pk, "category": lesson.category, "text": lesson.text}
            for lesson in postmortem.lessons.all()
        ],
    )
    actions = ActionItemFormSet(
        prefix="actions",
        initial=[
            {
                "id": a.pk,
                "title": a.title,
                "owner": a.owner_id,
                "due_date": a.due_date,
                "priority": a.priority,
            }
            for a in postmortem.action_rows  # type: ignore[attr-defined]  # Prefetch to_attr
            if a.status != a.Status.CANCELLED
        ],
    )
    return form, lessons, actions


def _render_edit(
    request: HttpRequest,
    postmortem: PostMortem,
    form: PostMortemForm,
    lessons: LessonFormSet,
    actions: ActionItemFormSet,
    section_errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "incidents/postmortems/form.html",
        {
            "postmortem": postmortem,
            "incident": postmortem.incident,
            "timeline": postmortem.incident.timeline_rows,  # type: ignore[attr-defined]  # Prefetch to_attr
            "form": form,
            "lessons": lessons,
            "actions": actions,
            "section_errors": section_errors or {},
            "limits": {"lessons": POSTMORTEM_LESSONS_MAX, "actions": POSTMORTEM_ACTIONS_MAX},
        },
        status=status,
    )


def _split_errors(form: PostMortemForm, exc: ValidationError) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        apply_validation_error(form, exc)
        return {}
    errors = exc.message_dict
    rest = {name: msgs for name, msgs in errors.items() if name not in SECTIONS}
    if rest:
        apply_validation_error(form, ValidationError(rest))
    return {name: errors[name] for name in SECTIONS if name in errors}


@login_required
@permission_required(services.PERM_CHANGE)
@require_http_methods(["GET", "POST"])
def postmortem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = _get(pk)
    if not services.postmortem_may_edit(request.user, postmortem):
        raise PermissionDenied(services.EDITORS_ONLY)
    if request.method != "POST":
        if not postmortem.is_editable:
            messages.info(request, "Only a draft changes: " + services._hint(postmortem))
            return redirect(postmortem)
        return _render_edit(request, postmortem, *_initial_forms(postmortem))
    form = PostMortemForm(request.POST)
    repeat = earlier_submission(request, form)
    if repeat is not None:
        return already_saved(request, repeat)
    lessons = LessonFormSet(request.POST, prefix="lessons")
    actions = ActionItemFormSet(request.POST, prefix="actions")
    if not all([form.is_valid(), lessons.is_valid(), actions.is_valid()]):
        return _render_edit(request, postmortem, form, lessons, actions, status=400)
    data = services.PostMortemData(
        fields=form.fields_data(), lessons=lessons.rows(), actions=actions.rows()
    )
    try:
        save_once(
            request,
            form,
            lambda: services.postmortem_save(actor=request.user, postmortem=postmortem, data=data),
            result_url=lambda pm: f"{pm.get_absolute_url()}edit/",
        )
    except AlreadySubmitted as again:
        return already_saved(request, again)
    except (ValidationError, IntegrityError) as exc:
        refusal = as_validation_error(exc) if isinstance(exc, IntegrityError) else exc
        section_errors = _split_errors(form, refusal)
        return _render_edit(request, postmortem, form, lessons, actions, section_errors, 400)
    messages.success(request, f"Draft saved (revision {postmortem.revision}).")
    return redirect("postmortems:edit", pk=pk)


def _refused(request: HttpRequest, postmortem: PostMortem, exc: ValidationError) -> HttpResponse:
    messages.error(request, " ".join(exc.messages))
    return redirect(postmortem)


@require_POST
@login_required
@permission_required(services.PERM_CHANGE)
def postmortem_submit(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = _get(pk)
    try:
        services.postmortem_submit(actor=request.user, postmortem=postmortem)
    except ValidationError as exc:
        messages.warning(request, "Not submitted yet: complete the sections named below.")
        return _render_edit(
            request,
            postmortem,
            *_initial_forms(postmortem),
            exc.message_dict if hasattr(exc, "error_dict") else {"lessons": exc.messages},
            400,
        )
    messages.success(request, "Submitted for the SRE Lead's review.")
    return redirect(postmortem)


@require_POST
@login_required
@permission_required(services.PERM_CHANGE)
def postmortem_publish(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = _get(pk)
    try:
        services.postmortem_publish(actor=request.user, postmortem=postmortem)
    except ValidationError as exc:
        return _refused(request, postmortem, exc)
    messages.success(request, "Published. Its action items are open in the action tracker.")
    return redirect(postmortem)


@require_POST
@login_required
@permission_required(services.PERM_CHANGE)
def postmortem_revise(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = _get(pk)
    if not services.postmortem_may_edit(request.user, postmortem):
        raise PermissionDenied(services.EDITORS_ONLY)
    form = ReviseForm(request.POST)
    done = submit_form(
        request,
        form,
        lambda data: services.postmortem_revise(
            actor=request.user, postmortem=postmortem, reason=data["reason"]
        ),
        success=lambda pm: f"Revision {pm.revision} opened: edit it, then submit it for review.",
        redirect_to=lambda pm: f"{pm.get_absolute_url()}edit/",
    )
    if done is not None:
        return done
    postmortem = _get(pk)
    _, context, _ = postmortem_document(postmortem)
    return render(
        request,
        "incidents/postmortems/detail.html",
        {**context, "may_revise": True, "revise_form": form},
        status=400,
    )


@login_required
@permission_required(PERM_VIEW)
@require_http_methods(["GET", "POST"])
def postmortem_sign(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = _get(pk)
    user = request.user
    current_hash = signing.subject_hash(postmortem)
    status = 200
    form: SignForm | None = None
    refusal = ""
    if request.method == "POST" and not has_role(user, SRE_LEAD):
        refusal = "Only the SRE Lead signs a post-mortem's review."
        messages.error(request, refusal)
        status = 403
    elif request.method == "POST":
        form = SignForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                signoff = services.postmortem_sign(
                    actor=user,
                    postmortem=postmortem,
                    role=SRE_LEAD,
                    decision=data["decision"],
                    comment=data["comment"],
                    shown_hash=data["shown_hash"],
                    password=data["password"],
                    code=data["otp_code"],
                )
            except PermissionDenied as exc:
                refusal = str(exc)
                form = None
                status = 403
            except ValidationError as exc:
                apply_validation_error(form, exc)
                messages.error(request, "Not signed: " + " ".join(exc.messages))
                status = 400
            else:
                if signoff.decision == SignOff.Decision.REJECT:
                    messages.success(request, "Rejected: the post-mortem is a draft again.")
                else:
                    messages.success(
                        request, f"Approved (content hash {signoff.content_sha256[:12]}…)."
                    )
                return redirect(postmortem)
        else:
            status = 400
    else:
        refusal = signing.refusal(
            user,
            postmortem,
            role=SRE_LEAD,
            decision=SignOff.Decision.APPROVE,
            comment="",
            shown_hash=current_hash,
        )
        if not refusal:
            form = SignForm(initial={"shown_hash": current_hash})
    _, context, _ = postmortem_document(postmortem)
    return render(
        request,
        "incidents/postmortems/sign.html",
        {**context, "form": form, "refusal": refusal, "canonical_form": CANONICAL_FORM},
        status=status,
    )


@login_required
@permission_required(PERM_VIEW)
@require_safe
def postmortem_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    template, context, filename = postmortem_document(_get(pk))
    return pdf_response(request, template=template, context=context, filename=filename)
