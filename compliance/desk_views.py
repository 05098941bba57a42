"""The compliance desk and an incident's notifications page, with its forms and PDF.

`/compliance/desk/`: the running clocks of every incident by time left (DPO, Legal Counsel;
the Auditor reads). `/incidents/<pk>/notifications/`: one incident's dated facts,
obligations and submissions, with the forms that record them; each form posts to its own
address, calls one service of `compliance.notifications` and, when refused, shows this
page again with the input kept and the errors by field (HTTP 400).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from bcp_portal.core.filters import filtered_by
from bcp_portal.core.forms import submit_form
from bcp_portal.core.paginator import CappedPaginator, page_of
from bcp_portal.core.pdf import pdf_response
from bcp_portal.core.people import zone_named
from bcp_portal.core.roles import permission_required
from compliance import desk_selectors, notification_reports, notifications
from compliance.desk_forms import (
    LOCAL_INPUT_FORMAT,
    DeskFilterSet,
    FactForm,
    ObligationAddForm,
    SubmissionForm,
    WaiveForm,
)
from compliance.desk_selectors import PERM_VIEW, PERM_VIEW_INCIDENT
from compliance.models_notifications import IncidentFact, Obligation
from compliance.notification_drafts import gdpr_art33_draft
from incidents.models import Incident

PAGE_SIZE = 25
PROVISIONAL_SHOWN = 5


@login_required
@permission_required(PERM_VIEW)
@require_safe
@filtered_by(DeskFilterSet)
def desk(request: HttpRequest) -> HttpResponse:
    params = request.GET
    now = timezone.now()
    filterset = DeskFilterSet(params, queryset=desk_selectors.desk_queryset(), request=request)
    valid = filterset.is_valid()
    qs = filterset.qs if valid else filterset.queryset.none()
    page, page_error = page_of(CappedPaginator(qs, PAGE_SIZE), params)
    filtered = any(params.get(name) for name in filterset.filters)
    provisional = (
        desk_selectors.provisional_clocks(PROVISIONAL_SHOWN + 1)
        if not filtered and page.number == 1
        else []
    )
    return render(
        request,
        "compliance/desk.html",
        {
            "page": page,
            "clocks": desk_selectors.clocks(page.object_list, now),
            "provisional": desk_selectors.clocks(provisional[:PROVISIONAL_SHOWN], now),
            "more_provisional": len(provisional) > PROVISIONAL_SHOWN,
            "page_error": page_error,
            "filter_form": filterset.form,
            "filtered": filtered,
            "regimes": desk_selectors.regime_choices(),
            "entities": desk_selectors.entity_choices(),
            "now": now,
        },
        status=200 if valid and not page_error else 400,
    )


def _incident(request: HttpRequest, pk: int) -> Incident:
    if not request.user.has_perm(PERM_VIEW_INCIDENT):
        raise Http404("No such incident.")
    incident = Incident.objects.select_related("incident_type").filter(pk=pk).first()
    if incident is None:
        raise Http404("No such incident.")
    return incident


def _obligation(incident: Incident, pk: int) -> Obligation:
    obligation = Obligation.objects.filter(incident=incident, pk=pk).first()
    if obligation is None:
        raise Http404("No such obligation of this incident.")
    return obligation


def page_url(incident_id: int, anchor: str = "") -> str:
    url = reverse("regulatory:incident", args=[incident_id])
    return f"{url}#{anchor}" if anchor else url


def _fact_initial(request: HttpRequest, facts: list[IncidentFact]) -> dict[str, Any]:
    """`?fact=<id>` fills the form with that fact, to change it; else a new fact's defaults."""
    zone = timezone.get_current_timezone_name()
    wanted = request.GET.get("fact", "")
    for fact in facts:
        if wanted.isascii() and wanted.isdigit() and fact.pk == int(wanted):
            at = fact.occurred_at
            return {
                "kind": fact.kind,
                "occurred_at": at.astimezone(zone_named(fact.time_zone)).strftime(
                    LOCAL_INPUT_FORMAT
                )
                if at is not None
                else "",
                "time_zone": fact.time_zone or zone,
                "value": fact.value,
                "region": fact.region,
                "count": fact.count,
                "evidence": fact.evidence,
            }
    return {"time_zone": zone}


def _notifications_page(
    request: HttpRequest,
    incident: Incident,
    *,
    fact_form: FactForm | None = None,
    add_form: ObligationAddForm | None = None,
    submission_form: tuple[int, SubmissionForm] | None = None,
    waive_form: tuple[int, WaiveForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The incident's notifications page; a refused form is given to show it again."""
    user = request.user
    now = timezone.now()
    facts = desk_selectors.incident_facts(incident.pk)
    obligations = desk_selectors.incident_obligations(incident.pk)
    may_submit = user.has_perm(desk_selectors.PERM_SUBMISSION)
    may_waive = user.has_perm(desk_selectors.PERM_OBLIGATION_WAIVE)
    authorities = desk_selectors.authorities() if may_submit else []
    draft = None
    rows = []
    local_now = timezone.localtime(now).strftime(LOCAL_INPUT_FORMAT)
    for clock in desk_selectors.clocks(obligations, now):
        o = clock.obligation
        open_ = o.status == Obligation.Status.OPEN
        s_form = w_form = None
        if open_ and may_submit:
            if submission_form and submission_form[0] == o.pk:
                s_form = submission_form[1]
            else:
                content = ""
                if desk_selectors.is_gdpr_authority_stage(o):
                    if draft is None:
                        draft = gdpr_art33_draft(incident=incident)
                    content = draft
                s_form = SubmissionForm(
                    prefix=f"s{o.pk}",
                    authorities=authorities,
                    initial={"submitted_at": local_now, "content": content},
                )
        if open_ and may_waive:
            if waive_form and waive_form[0] == o.pk:
                w_form = waive_form[1]
            else:
                w_form = WaiveForm(prefix=f"w{o.pk}")
        rows.append({"clock": clock, "submission_form": s_form, "waive_form": w_form})
    may_fact = user.has_perm(desk_selectors.PERM_FACT)
    may_add = user.has_perm(desk_selectors.PERM_OBLIGATION_ADD)
    return render(
        request,
        "compliance/notifications.html",
        {
            "incident": incident,
            "facts": facts,
            "rows": rows,
            "now": now,
            "fact_form": (fact_form or FactForm(initial=_fact_initial(request, facts)))
            if may_fact
            else None,
            "add_form": (add_form or ObligationAddForm()) if may_add else None,
        },
        status=status,
    )


@login_required
@permission_required(PERM_VIEW)
@require_safe
def incident_notifications(request: HttpRequest, pk: int) -> HttpResponse:
    return _notifications_page(request, _incident(request, pk))


@login_required
@permission_required(desk_selectors.PERM_FACT)
@require_POST
def fact_record(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    form = FactForm(request.POST)
    saved = submit_form(
        request,
        form,
        lambda data: notifications.fact_record(
            actor=request.user,
            incident=incident,
            kind=data["kind"],
            occurred_at=data["occurred_at"],
            time_zone=data["time_zone"],
            value=data["value"],
            region=data["region"],
            count=data["count"],
            reason=data["reason"],
            evidence=data["evidence"],
        ),
        success=lambda fact: f"{fact.get_kind_display()} recorded; the clocks are updated.",
        redirect_to=lambda fact: page_url(incident.pk, "facts"),
    )
    if saved:
        return saved
    return _notifications_page(request, incident, fact_form=form, status=400)


@login_required
@permission_required(desk_selectors.PERM_OBLIGATION_ADD)
@require_POST
def obligation_add(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    form = ObligationAddForm(request.POST)
    saved = submit_form(
        request,
        form,
        lambda data: notifications.obligation_add(actor=request.user, incident=incident, **data),
        success=lambda o: f"Obligation added: {o.regime_name}, {o.stage_name}{o.unverified_note}.",
        redirect_to=lambda o: page_url(incident.pk, f"obligation-{o.pk}"),
    )
    if saved:
        return saved
    return _notifications_page(request, incident, add_form=form, status=400)


@login_required
@permission_required(desk_selectors.PERM_OBLIGATION_WAIVE)
@require_POST
def obligation_waive(request: HttpRequest, pk: int, obligation: int) -> HttpResponse:
    incident = _incident(request, pk)
    row = _obligation(incident, obligation)
    form = WaiveForm(request.POST, prefix=f"w{row.pk}")
    saved = submit_form(
        request,
        form,
        lambda data: notifications.obligation_waive(
            actor=request.user, obligation=row, reason=data["reason"]
        ),
        success=lambda o: f"Waived: {o.regime_name}, {o.stage_name}{o.unverified_note}.",
        redirect_to=lambda o: page_url(incident.pk, f"obligation-{o.pk}"),
    )
    if saved:
        return saved
    return _notifications_page(request, incident, waive_form=(row.pk, form), status=400)


@login_required
@permission_required(desk_selectors.PERM_SUBMISSION)
@require_POST
def submission_record(request: HttpRequest, pk: int, obligation: int) -> HttpResponse:
    incident = _incident(request, pk)
    row = _obligation(incident, obligation)
    form = SubmissionForm(request.POST, request.FILES, prefix=f"s{row.pk}")
    saved = submit_form(
        request,
        form,
        lambda data: notifications.submission_record(
            actor=request.user,
            obligation=row,
            submitted_at=data["submitted_at"],
            recipient=data["recipient"],
            authority=data["authority"],
            reference_number=data["reference_number"],
            content=data["content"],
            attachment=data["attachment"],
            late_reason=data["late_reason"],
        ),
        success=lambda s: (
            f"Submission recorded for {row.regime_name}, {row.stage_name}{row.unverified_note}"
            + (f" (reference {s.reference_number})." if s.reference_number else ".")
        ),
        redirect_to=lambda s: page_url(incident.pk, f"obligation-{row.pk}"),
    )
    if saved:
        return saved
    return _notifications_page(request, incident, submission_form=(row.pk, form), status=400)


@login_required
@permission_required(PERM_VIEW)
@require_safe
def submission_attachment(request: HttpRequest, pk: int, submission: int) -> HttpResponse:
    """A submission's attached file, as a download (never shown inline)."""
    incident = _incident(request, pk)
    row = desk_selectors.submission_with_attachment(submission)
    if row is None or row.obligation.incident_id != incident.pk or row.attachment is None:
        raise Http404("No such attachment.")
    response = HttpResponse(bytes(row.attachment), content_type="application/octet-stream")
    # RFC 6266: an ASCII fallback and filename*=UTF-8''... for any other name.
    response["Content-Disposition"] = notifications.attachment_disposition(row.attachment_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@permission_required(PERM_VIEW)
@require_safe
def notification_pack(request: HttpRequest, pk: int) -> HttpResponse:
    """The incident's notification pack (PDF): facts, obligations, submissions, timeline."""
    incident = _incident(request, pk)
    template, context, filename = notification_reports.notification_pack(incident)
    return pdf_response(request, template=template, context=context, filename=filename)
