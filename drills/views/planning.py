"""Drill plan pages: month view, list, detail, create/edit/cancel, and schedules."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bcp_portal.catalogue.selectors import organisation_zone
from bcp_portal.core.filters import filtered_by
from bcp_portal.core.forms import submit_form
from bcp_portal.core.paginator import CappedPaginator, page_of
from bcp_portal.core.roles import permission_required
from drills import report_selectors, selectors
from drills.calendar_forms import DrillForm, DrillScheduleForm
from drills.filters import DrillFilterSet, DrillMonthFilterSet
from drills.models import (
    Drill,
    DrillReport,
    DrillSchedule,
    DrillType,
    Result,
)
from drills.services import planning as services


def _shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@login_required
@permission_required("drills.view_drill")
@require_safe
@filtered_by(DrillMonthFilterSet)
def calendar(request: HttpRequest) -> HttpResponse:
    tz = timezone.get_current_timezone()
    now = timezone.now()
    today = timezone.localdate(now, timezone=tz)
    month_filter = DrillMonthFilterSet(request.GET, queryset=Drill.objects.none())
    valid = month_filter.is_valid()
    # A malformed month shows this month's grid under the error, answering 400.
    first = (valid and month_filter.form.cleaned_data["month"]) or today.replace(day=1)
    weeks = selectors.calendar_month(
        user=request.user, year=first.year, month=first.month, tz=tz, now=now
    )
    return render(
        request,
        "drills/calendar.html",
        {
            "weeks": weeks,
            "month": first,
            "filter_form": month_filter.form,
            "previous": f"{_shift_month(first, -1):%Y-%m}",
            "next": f"{_shift_month(first, 1):%Y-%m}",
            "this_month": f"{today:%Y-%m}",
            "now": now,
            # Every day's "+" links here: reversed once, not once a day.
            "create_url": (
                reverse("drills:drill-create") if request.user.has_perm("drills.add_drill") else ""
            ),
        },
        status=200 if valid else 400,
    )


def _counts_window(qs, filterset: DrillFilterSet) -> tuple:
    """Planned versus done over the quarters the filter offers (a bounded, indexed range) and
    their span, or over the one quarter the filter names: never every drill ever held."""
    if filterset.form.cleaned_data.get("quarter"):
        return qs, ""
    # The viewer's zone, as the quarter choices use (no query for the organisation's).
    tz = timezone.get_current_timezone()
    quarters = selectors.drill_quarters(around=timezone.localdate(timezone=tz))
    start = selectors.quarter_bounds(quarters[-1], tz)
    end = selectors.quarter_bounds(quarters[0], tz)
    if start is None or end is None:
        return qs, ""
    span = f"{quarters[-1]} to {quarters[0]}"
    return qs.filter(starts_at__gte=start[0], starts_at__lt=end[1]), span


@login_required
@permission_required("drills.view_drill")
@require_safe
@filtered_by(DrillFilterSet)
def drill_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    now = timezone.now()
    filterset = DrillFilterSet(
        params, queryset=selectors.drill_list(user=request.user, now=now), request=request, now=now
    )
    valid = filterset.is_valid()
    qs = filterset.qs if valid else filterset.queryset.none()
    page, page_error = page_of(CappedPaginator(qs, 25), params)
    counted, counts_span = _counts_window(qs, filterset) if valid else (qs, "")
    return render(
        request,
        "drills/drill_list.html",
        {
            "page": page,
            "page_error": page_error,
            "filter_form": filterset.form,
            "counts": selectors.drill_counts_by_type(counted, now=now) if valid else [],
            "counts_span": counts_span,
            "filtered": any(params.get(name) for name in filterset.filters),
            "types": DrillType.objects.order_by("name"),
            "statuses": selectors.STATUS_FILTERS,
            "results": Result.choices,
            "quarters": selectors.drill_quarters(around=timezone.localdate(now)),
            "people": selectors.participant_choices(),
            "now": now,
            "can_add": request.user.has_perm("drills.add_drill"),
        },
        status=200 if valid and not page_error else 400,
    )


def _report_links(request: HttpRequest, drill: Drill) -> dict:
    """The drill's report, or the way to file one for those who may."""
    try:
        report = drill.report
    except DrillReport.DoesNotExist:
        report = None
    links = {"report": report, "report_url": "", "file_report_url": ""}
    if report is not None:
        links["report_url"] = report.get_absolute_url()
    elif drill.status == Drill.Status.PLANNED and request.user.has_perm("drills.add_drillreport"):
        links["file_report_url"] = reverse("drills:report-new", kwargs={"drill_pk": drill.pk})
    return links


@login_required
@permission_required("drills.view_drill")
@require_safe
def drill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    drill = selectors.drill_detail(user=request.user, pk=pk)
    if drill is None:
        raise Http404("No such drill.")
    changes = report_selectors.drill_history(drill)
    return render(
        request,
        "drills/drill_detail.html",
        {
            "drill": drill,
            "changes": changes,
            "is_overdue": drill.is_overdue(),
            "can_change": request.user.has_perm("drills.change_drill")
            and drill.status == Drill.Status.PLANNED,
            **_report_links(request, drill),
        },
    )


def _drill_form_fields(form: DrillForm) -> dict:
    data = dict(form.cleaned_data)
    data.pop("drill_type", None)
    return data


@login_required
@permission_required("drills.add_drill")
@require_http_methods(["GET", "POST"])
def drill_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    try:
        # From the month view's "+" on a day: that day, at ten in the viewer's zone.
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        pass
    else:
        initial["starts_at"] = f"{day:%Y-%m-%d}T10:00"
    form = DrillForm(request.POST or None, initial=initial)
    saved = submit_form(
        request,
        form,
        lambda data: services.drill_create(
            actor=request.user, **{**data, "participant_teams": data["participant_teams"] or None}
        ),
        success=lambda drill: f"“{drill.title}” is on the calendar.",
    )
    if saved:
        return saved
    return render(request, "drills/drill_form.html", {"form": form, "drill": None})


@login_required
@permission_required("drills.change_drill")
@require_http_methods(["GET", "POST"])
def drill_edit(request: HttpRequest, pk: int) -> HttpResponse:
    drill = get_object_or_404(Drill.objects.select_related("drill_type"), pk=pk)
    if drill.status != Drill.Status.PLANNED:
        messages.error(request, f"This drill is {drill.get_status_display().lower()}.")
        return redirect(drill)
    # The form works on its own copy, so a rejected post leaves `drill` as stored.
    form = DrillForm(request.POST or None, instance=Drill.objects.get(pk=pk))
    saved = submit_form(
        request,
        form,
        lambda data: services.drill_update(
            actor=request.user, drill=drill, **_drill_form_fields(form)
        ),
        success=lambda drill: f"“{drill.title}” saved.",
    )
    if saved:
        return saved
    return render(request, "drills/drill_form.html", {"form": form, "drill": drill})


@login_required
@permission_required("drills.change_drill")
@require_POST
def drill_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    drill = get_object_or_404(Drill, pk=pk)
    try:
        services.drill_cancel(
            actor=request.user, drill=drill, reason=request.POST.get("reason", "")[:200]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{drill.title}” is cancelled; it will not be planned again.")
    return redirect(drill)


# --- Schedules -----------------------------------------------------------------------------


@login_required
@permission_required("drills.view_drillschedule")
@require_safe
def schedule_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "drills/schedule_list.html",
        {
            "schedules": selectors.schedule_list(user=request.user),
            "zone": organisation_zone().key,
            "can_add": request.user.has_perm("drills.add_drillschedule"),
            "can_change": request.user.has_perm("drills.change_drillschedule"),
        },
    )


@login_required
@permission_required("drills.add_drillschedule")
@require_http_methods(["GET", "POST"])
def schedule_create(request: HttpRequest) -> HttpResponse:
    form = DrillScheduleForm(request.POST or None)
    saved = submit_form(
        request,
        form,
        lambda data: services.drill_schedule_create(actor=request.user, **data),
        success=lambda schedule: f"Schedule “{schedule}” added; its drills are planned.",
        redirect_to="drills:schedule-list",
    )
    if saved:
        return saved
    return render(
        request,
        "drills/schedule_form.html",
        {"form": form, "schedule": None, "zone": organisation_zone().key},
    )


@login_required
@permission_required("drills.change_drillschedule")
@require_http_methods(["GET", "POST"])
def schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(DrillSchedule.objects.select_related("drill_type"), pk=pk)
    form = DrillScheduleForm(request.POST or None, instance=DrillSchedule.objects.get(pk=pk))
    saved = submit_form(
        request,
        form,
        lambda data: services.drill_schedule_update(actor=request.user, schedule=schedule, **data),
        success=lambda schedule: (
            f"Schedule “{schedule}” saved; future drills nobody edited follow it."
        ),
        redirect_to="drills:schedule-list",
    )
    if saved:
        return saved
    return render(
        request,
        "drills/schedule_form.html",
        {"form": form, "schedule": schedule, "zone": organisation_zone().key},
    )
