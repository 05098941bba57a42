"""Drill report pages: start, edit (draft), submit, revise, history, PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bcp_portal.catalogue.selectors import organisation_today
from bcp_portal.core import charts, limits
from bcp_portal.core.exports import start_export
from bcp_portal.core.filters import filtered_by
from bcp_portal.core.forms import (
    already_saved,
    apply_validation_error,
    earlier_submission,
    save_once,
    submit_form,
)
from bcp_portal.core.integrity import as_validation_error
from bcp_portal.core.paginator import CappedPaginator, page_of
from bcp_portal.core.pdf import DocumentControl, pdf_response
from bcp_portal.core.roles import permission_required
from bcp_portal.core.submissions import AlreadySubmitted
from drills import report_selectors
from drills.filters import DrillReportFilterSet
from drills.forms import (
    ActionFormSet,
    DrillReportForm,
    IssueFormSet,
    NewReportForm,
    ReviseForm,
    StepFormSet,
)
from drills.models import Drill, DrillReport, DrillType, Result
from drills.reports import (
    REPORT_EXPORT,
    drill_report_document,
    renders_in_the_request,
    report_size,
)
from drills.services import reports as services

SECTIONS = ("steps", "issues", "actions")


def _get_report(pk: int) -> DrillReport:
    return get_object_or_404(report_selectors.report_detail_queryset(), pk=pk)


@login_required
@permission_required("drills.view_drillreport")
@require_safe
@filtered_by(DrillReportFilterSet)
def report_list(request):
    params = request.GET
    filterset = DrillReportFilterSet(
        params, queryset=report_selectors.report_list(user=request.user), request=request
    )
    valid = filterset.is_valid()
    qs = filterset.qs if valid else filterset.queryset.none()
    page, page_error = page_of(CappedPaginator(qs, 25), params)
    return render(
        request,
        "drills/report_list.html",
        {
            "page": page,
            "page_error": page_error,
            "filter_form": filterset.form,
            "filtered": any(params.get(name) for name in filterset.filters),
            "statuses": DrillReport.Status.choices,
            "results": Result.choices,
            "types": DrillType.objects.order_by("name"),
            "can_add": request.user.has_perm("drills.add_drillreport"),
        },
        status=200 if valid and not page_error else 400,
    )


@login_required
@permission_required("drills.add_drillreport")
@require_http_methods(["GET", "POST"])
def report_new(request, drill_pk: int | None = None):
    """Start the report of a planned drill, or of a drill that was not planned."""
    if drill_pk is not None:
        drill = get_object_or_404(Drill.objects.select_related("drill_type"), pk=drill_pk)
        try:
            if request.method != "POST":
                services.check_reportable(drill)
                return render(
                    request,
                    "drills/report_start.html",
                    {"drill": drill, "drill_ahead": services.drill_not_yet_run(drill)},
                )
            report = services.drill_report_file(actor=request.user, drill=drill)
        except services.DrillReportExists as exc:
            return _to_existing(request, exc)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(drill)
        if services.drill_not_yet_run(drill):
            messages.warning(request, services.DRILL_NOT_RUN_YET)
        return redirect("drills:report-edit", pk=report.pk)
    form = NewReportForm(request.POST or None)
    saved = submit_form(
        request,
        form,
        lambda data: services.drill_report_file(
            actor=request.user,
            drill=services.UnplannedDrill(
                drill_type=data["drill_type"], date=data["drill_date"], title=data["title"]
            ),
        ),
        success=lambda report: "Draft started. Save it as often as you like.",
        redirect_to=_edit_url,
    )
    if saved:
        return saved
    return render(request, "drills/report_new.html", {"form": form})


def _edit_url(report: DrillReport) -> str:
    return reverse("drills:report-edit", args=[report.pk])


def _to_existing(request, exc: services.DrillReportExists):
    """A drill takes one report: say so, and open the one it has."""
    existing = exc.report
    messages.info(request, " ".join(exc.messages))
    if not services.can_edit(request.user, existing):
        return redirect(existing)
    return redirect("drills:report-edit", pk=existing.pk)


def _initial_forms(report: DrillReport):
    form = DrillReportForm(instance=report)
    steps = StepFormSet(
        prefix="steps",
        initial=[
            {
                "id": s.pk,
                "description": s.description,
                "started_at": s.started_at,
                "ended_at": s.ended_at,
                "duration_minutes": s.duration_minutes,
                "result": s.result,
                "notes": s.notes,
                "ORDER": s.order,
            }
            for s in report.steps.all()
        ],
    )
    issues = IssueFormSet(
        prefix="issues",
        initial=[
            {"id": i.pk, "description": i.description, "severity": i.severity}
            for i in report.issues.all()
        ],
    )
    actions = ActionFormSet(
        prefix="actions",
        initial=[
            {
                "id": a.pk,
                "title": a.title,
                "owner": a.owner_id,
                "due_date": a.due_date,
                "priority": a.priority,
            }
            for a in report.actions.all()
            if a.status != a.Status.CANCELLED
        ],
    )
    return form, steps, issues, actions


def _render_edit(request, report, form, steps, issues, actions, section_errors=None, status=200):
    return render(
        request,
        "drills/report_form.html",
        {
            "report": report,
            "form": form,
            "steps": steps,
            "issues": issues,
            "actions": actions,
            "section_errors": section_errors or {},
            "limits": limits.report_section_limits(),
        },
        status=status,
    )


@login_required
@permission_required("drills.change_drillreport")
@require_http_methods(["GET", "POST"])
def report_edit(request, pk: int):
    report = _get_report(pk)
    services.ensure_may_edit(request.user, report)
    if request.method != "POST":
        if report.is_locked:
            messages.info(request, services.REPORT_LOCKED)
            return redirect(report)
        return _render_edit(request, report, *_initial_forms(report))

    form = DrillReportForm(request.POST, instance=DrillReport.objects.get(pk=pk))
    repeat = earlier_submission(request, form)
    if repeat is not None:
        # Before the lock: "Save and submit" clicked twice finds the report locked by the first.
        return already_saved(request, repeat)
    if report.is_locked:
        messages.info(request, services.REPORT_LOCKED)
        return redirect(report)

    steps = StepFormSet(request.POST, prefix="steps")
    issues = IssueFormSet(request.POST, prefix="issues")
    actions = ActionFormSet(request.POST, prefix="actions")
    if not all([form.is_valid(), steps.is_valid(), issues.is_valid(), actions.is_valid()]):
        # Nothing is saved; the page comes back with everything that was typed.
        return _render_edit(request, report, form, steps, issues, actions, status=400)

    data = services.ReportData(
        fields={
            k: v for k, v in form.cleaned_data.items() if k not in ("services", "participants")
        },
        services=list(form.cleaned_data["services"]),
        participants=list(form.cleaned_data["participants"]),
        steps=steps.rows(),
        issues=issues.rows(),
        actions=actions.rows(),
    )
    submit = "submit" in request.POST

    def file() -> tuple[DrillReport, services.DraftSavedNotSubmitted | None]:
        # A refused submission keeps the saved draft: a result, so its key is kept too.
        try:
            filed = services.drill_report_file(
                actor=request.user, report=report, data=data, submit=submit, keep_draft=True
            )
        except services.DraftSavedNotSubmitted as refused:
            return refused.report, refused
        return filed, None

    try:
        report, refused = save_once(
            request, form, file, result_url=lambda result: _after_filing(result[0])
        )
    except AlreadySubmitted as repeat:
        return already_saved(request, repeat)
    except (ValidationError, IntegrityError) as exc:
        refusal = as_validation_error(exc) if isinstance(exc, IntegrityError) else exc
        section_errors = _split_errors(form, refusal)
        return _render_edit(request, report, form, steps, issues, actions, section_errors, 400)
    if refused is not None:
        # The draft is saved; show the saved state with what is still missing.
        report = _get_report(pk)
        forms = _initial_forms(report)
        section_errors = _split_errors(forms[0], refused)
        messages.warning(request, "Your draft is saved, but it cannot be submitted yet.")
        return _render_edit(request, report, *forms, section_errors, status=400)

    if not submit:
        messages.success(request, f"Draft saved (revision {report.revision}).")
        return redirect("drills:report-edit", pk=report.pk)
    messages.success(request, "Report submitted. It is now locked.")
    return redirect(report)


def _after_filing(report: DrillReport) -> str:
    """Where a saved report's page goes next: its editor while a draft, else the report."""
    return _edit_url(report) if not report.is_locked else report.get_absolute_url()


def _split_errors(form, exc: ValidationError) -> dict[str, list[str]]:
    """Field errors go on the form; steps/issues/actions errors above their section."""
    if not form.is_bound:
        # The saved state's form (after a refused submission) was never cleaned: give it
        # an empty result to add the errors to, instead of failing on them.
        form.full_clean()
        form.cleaned_data = {}
    if not hasattr(exc, "error_dict"):
        apply_validation_error(form, exc)
        return {}
    errors = exc.message_dict
    section_errors = {name: errors[name] for name in SECTIONS if name in errors}
    rest = {name: msgs for name, msgs in errors.items() if name not in SECTIONS}
    if rest:
        apply_validation_error(form, ValidationError(rest))
    for name in form.errors:
        # Mark each field with a problem, as a form's own validation does.
        if name in form.fields:
            attrs = form.fields[name].widget.attrs
            if "is-invalid" not in attrs.get("class", ""):
                attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
            attrs["aria-invalid"] = "true"
    return section_errors


@login_required
@permission_required("drills.view_drillreport")
@require_safe
def report_detail(request, pk: int):
    report = _get_report(pk)
    return render(
        request,
        "drills/report_detail.html",
        {
            "report": report,
            "can_edit": services.can_edit(request.user, report),
            "can_revise": services.can_revise(request.user, report),
            "revise_form": ReviseForm(),
            "problems": services.drill_report_problems(report) if not report.is_locked else {},
        },
    )


@require_POST
@login_required
@permission_required("drills.change_drillreport")
def report_submit(request, pk: int):
    report = get_object_or_404(DrillReport, pk=pk)
    services.ensure_may_edit(request.user, report)
    try:
        services.drill_report_file(actor=request.user, report=report, submit=True)
    except ValidationError as exc:
        report = _get_report(pk)
        if report.is_locked:
            messages.info(request, services.REPORT_LOCKED)
            return redirect(report)
        # The saved draft, with each problem next to its field.
        forms = _initial_forms(report)
        section_errors = _split_errors(forms[0], exc)
        messages.error(request, "The report cannot be submitted yet: see the fields marked.")
        return _render_edit(request, report, *forms, section_errors, status=400)
    messages.success(request, "Report submitted. It is now locked.")
    return redirect(report)


@require_POST
@login_required
@permission_required("drills.change_drillreport")
def report_revise(request, pk: int):
    report = _get_report(pk)
    services.ensure_may_edit(request.user, report)
    form = ReviseForm(request.POST)
    saved = submit_form(
        request,
        form,
        lambda data: services.drill_report_revise(
            actor=request.user, report=report, reason=data["reason"]
        ),
        success=lambda revised: "A new revision is open. Correct it, then submit again.",
        redirect_to=_edit_url,
    )
    if saved:
        return saved
    return render(
        request,
        "drills/report_detail.html",
        {
            "report": report,
            "can_edit": False,
            "can_revise": True,
            "revise_form": form,
            "problems": {},
        },
        status=400,
    )


@login_required
@permission_required("drills.view_drillreport")
@require_safe
def report_history(request, pk: int):
    report = _get_report(pk)
    return render(
        request,
        "drills/report_history.html",
        {
            "report": report,
            "changes": report_selectors.report_history(report),
        },
    )


@login_required
@permission_required("drills.view_drillreport")
@require_http_methods(["GET", "HEAD", "POST"])
def report_pdf(request, pk: int):
    """A report of a few pages is rendered and streamed directly; a long one (more rows or
    text than `bcp_portal.core.limits` allows in a request) is rendered by a worker: this
    page offers to prepare it, and the progress page offers the download."""
    report = _get_report(pk)
    if renders_in_the_request(report):
        template, context, filename = drill_report_document(report, reader=request.user)
        return pdf_response(request, template=template, context=context, filename=filename)
    if request.method == "POST":
        progress = start_export(
            user=request.user,
            kind=REPORT_EXPORT,
            params={"report": report.pk},
            title=f"{report.document_id} revision {report.revision} (PDF)",
        )
        return redirect(progress)
    rows, chars = report_size(report)
    return render(
        request,
        "drills/report_pdf_prepare.html",
        {"report": report, "rows": rows, "chars": chars, "limits": limits},
    )


def _summary_context(*, with_lists: bool = False, user=None) -> dict:
    """The summary's figures and charts; the PDF adds the lists (`with_lists`): overdue
    drills, failed drills of the last 12 months and open actions of submitted reports."""
    today = organisation_today()
    rates = report_selectors.pass_rates(today=today)
    quarters = report_selectors.planned_vs_done(today=today)
    context = {
        "today": today,
        "rates": rates,
        "rate_bands": charts.RATE_BANDS,
        "quarters": quarters,
        "pass_rate_chart": charts.pass_rate_chart([(r.name, r.passed, r.total) for r in rates]),
        "planned_done_chart": charts.planned_done_chart([q.as_row() for q in quarters]),
    }
    if with_lists:
        context["overdue_drills"] = report_selectors.summary_overdue_drills()
        context["failed_reports"] = report_selectors.summary_failed_reports(today=today)
        context["open_actions"] = report_selectors.summary_open_actions(user=user, today=today)
        context["list_limit"] = report_selectors.SUMMARY_LIST_ROWS
    return context


@login_required
@permission_required("drills.view_drillreport")
@require_safe
def summary(request):
    """Pass rate per type over 12 months and planned versus done per quarter."""
    return render(request, "drills/summary.html", _summary_context())


@login_required
@permission_required("drills.view_drillreport")
@require_safe
def summary_pdf(request):
    context = _summary_context(with_lists=True, user=request.user)
    context["document"] = DocumentControl(
        document_id=f"DRILL-SUMMARY-{context['today']:%Y%m%d}",
        title="DR drill programme summary",
        owner="SRE Team",
    )
    return pdf_response(
        request,
        template="print/drill_summary.html",
        context=context,
        filename=f"drill-summary-{context['today']:%Y-%m-%d}.pdf",
    )
