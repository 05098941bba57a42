"""The approvals inbox (with the reviews due) and the page that signs a change."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from bcp_portal.catalogue.selectors import organisation_today
from bcp_portal.core import signing
from bcp_portal.core.forms import apply_validation_error
from bcp_portal.core.models import SignOff
from bcp_portal.core.paginator import page_of
from bcp_portal.core.roles import permission_required, user_roles
from compliance import page_selectors, selectors, services
from compliance.forms import SignForm
from compliance.models import ChangeRequest
from compliance.views.common import get_change
from compliance.views.versions import diff_context

REVIEWS_DUE_SHOWN = 50
CANONICAL_FORM = "SHA-256 of the change type, reason and content, canonical form v1"


@login_required
@permission_required("compliance.view_changerequest")
@require_safe
def approvals(request: HttpRequest) -> HttpResponse:
    user = request.user
    # What waits is computed whole to be sorted (no index orders it): its keys and count
    # first, then the page's rows (page_selectors.WaitingChangesPaginator).
    waiting = page_selectors.WaitingChangesPaginator(user, 20)
    page, page_error = page_of(waiting, request.GET)
    today = organisation_today()  # one read of the organisation's profile
    reviews_due = None
    if user.has_perm(services.PERM_REVIEW):
        reviews_due = list(selectors.reviews_due(today)[: REVIEWS_DUE_SHOWN + 1])
    return render(
        request,
        "compliance/approvals.html",
        {
            "page": page,
            "page_error": page_error,
            "rows": [(change, waiting.roles_asked[change.pk]) for change in page.object_list],
            "reviews_due": reviews_due[:REVIEWS_DUE_SHOWN] if reviews_due is not None else None,
            "more_reviews_due": reviews_due is not None and len(reviews_due) > REVIEWS_DUE_SHOWN,
            "today": today,
        },
        status=400 if page_error else 200,
    )


def _already_signed(request: HttpRequest, change: ChangeRequest) -> HttpResponse | None:
    mine = page_selectors.my_valid_signoff(change, request.user)
    if mine is None or mine.decision != SignOff.Decision.APPROVE:
        return None
    messages.info(
        request,
        f"Already signed: you approved this change as {mine.role}. Nothing more to do.",
    )
    return redirect(services.version_url(change.version))


@login_required
@permission_required("compliance.view_changerequest")
@require_http_methods(["GET", "POST"])
def change_sign(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_change(pk)
    user = request.user
    if (done := _already_signed(request, change)) is not None:
        return done
    held = user_roles(user)
    roles = [r for r in signing.missing_roles(change) if r in held]  # the ones still wanted
    current_hash = signing.subject_hash(change)
    status = 200
    form: SignForm | None = None
    refusal = ""
    required = signing.signable_for(change).required_roles(change)
    if request.method == "POST" and not held & set(required):
        # Nobody without one of the roles signs (sign() would refuse it the same way).
        refusal = (
            f"Signing this needs one of the roles {', '.join(required)}; you hold none of them."
        )
        messages.error(request, refusal)
        status = 403
    elif request.method == "POST":
        form = SignForm(request.POST, roles=roles or list(required))
        if form.is_valid():
            try:
                signoff = services.change_sign(
                    actor=user,
                    change=change,
                    decision=form.cleaned_data["decision"],
                    **form.signature(),
                )
            except PermissionDenied as exc:
                messages.error(request, str(exc) or "You may not sign this change.")
                refusal = str(exc)
                form = None
                status = 403
            except ValidationError as exc:
                apply_validation_error(form, exc)
                messages.error(request, "Not signed: " + " ".join(exc.messages))
                status = 400
            else:
                if signoff.decision == SignOff.Decision.REJECT:
                    messages.success(
                        request, f"Rejected as {signoff.role}: the change is a draft again."
                    )
                else:
                    messages.success(
                        request,
                        f"Approved as {signoff.role} (content hash "
                        f"{signoff.content_sha256[:12]}…).",
                    )
                return redirect(services.version_url(change.version))
        else:
            status = 400
    else:
        asked = roles or [r for r in required if r in held]
        refusal = signing.refusal(
            user,
            change,
            role=asked[0] if asked else "",
            decision=SignOff.Decision.APPROVE,
            comment="",
            shown_hash=current_hash,
        )
        if not refusal:
            form = SignForm(roles=roles, initial={"shown_hash": current_hash})
    version = change.version
    return render(
        request,
        "compliance/sign.html",
        {
            "change": change,
            "version": version,
            "document": version.document,
            "based_on": version.based_on,
            "form": form,
            "refusal": refusal,
            "current_hash": current_hash,
            "shown_hash": (form["shown_hash"].value() if form is not None else "") or current_hash,
            "canonical_form": CANONICAL_FORM,
            **diff_context(version.based_on, version),
        },
        status=status,
    )
