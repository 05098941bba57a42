"""Drill calendar pages: month view, list, detail, edit, schedules, calendar feeds.

The iCalendar feed is the one page without a login: its private URL carries a token whose
SHA-256 is looked up; an unknown or revoked token is a 404, so the URL reveals nothing.

Feeds do not record `last_used_at`. Calendar applications poll every few minutes to hours,
and `CalendarFeedToken` is historised: saving on each poll would add a history row per poll,
and a `QuerySet.update()` would change a historised row behind its history's back. Keeping
the time elsewhere needs a non-historised table (a migration) for a nicety, so the field is
left unused until that is worth it.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta

import icalendar
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bcp_portal.core.forms import submit_form
from bcp_portal.core.roles import permission_required
from drills import selectors
from drills.calendar_forms import CalendarFeedForm, DrillForm, DrillScheduleForm
from drills.models import (
    CalendarFeedToken,
    Drill,
    DrillReport,
    DrillSchedule,
    DrillType,
    Result,
)
from drills.services import calendar as services


def _month_param(value: str, today: date) -> date:
    """'2027-01' to the first of that month; today's month when absent or malformed."""
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


def _shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@login_required
@permission_required("drills.view_drill")
def calendar(request: HttpRequest) -> HttpResponse:
    tz = timezone.get_current_timezone()
    now = timezone.now()
    today = timezone.localdate(now, timezone=tz)
    first = _month_param(request.GET.get("month", ""), today)
    weeks = selectors.calendar_month(
        user=request.user, year=first.year, month=first.month, tz=tz, now=now
    )
    return render(
        request,
        "drills/calendar.html",
        {
            "weeks": weeks,
            "month": first,
            "previous": f"{_shift_month(first, -1):%Y-%m}",
            "next": f"{_shift_month(first, 1):%Y-%m}",
            "this_month": f"{today:%Y-%m}",
            "now": now,
            "can_add": request.user.has_perm("drills.add_drill"),
        },
    )


@login_required
@permission_required("drills.view_drill")
def drill_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    now = timezone.now()
    qs = selectors.drill_list(
        user=request.user,
        drill_type=params.get("type", ""),
        status=params.get("status", ""),
        result=params.get("result", ""),
        quarter=params.get("quarter", ""),
        participant=params.get("participant", ""),
        search=params.get("q", "").strip(),
        now=now,
    )
    page = Paginator(qs, 25).get_page(params.get("page"))
    filtered = any(
        params.get(k) for k in ("type", "status", "result", "quarter", "participant", "q")
    )
    return render(
        request,
        "drills/drill_list.html",
        {
            "page": page,
            "counts": selectors.drill_counts_by_type(qs, now=now),
            "filtered": filtered,
            "types": DrillType.objects.order_by("name"),
            "statuses": selectors.STATUS_FILTERS,
            "results": Result.choices,
            "quarters": selectors.drill_quarters(around=timezone.localdate(now)),
            "people": selectors.participant_choices(),
            "now": now,
            "can_add": request.user.has_perm("drills.add_drill"),
        },
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
def drill_detail(request: HttpRequest, pk: int) -> HttpResponse:
    drill = selectors.drill_detail(user=request.user, pk=pk)
    if drill is None:
        raise Http404("No such drill.")
    changes = drill.history.select_related("history_user").order_by("-history_date")[:20]
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
def schedule_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "drills/schedule_list.html",
        {
            "schedules": selectors.schedule_list(user=request.user),
            "zone": services.organisation_zone().key,
            "can_add": request.user.has_perm("drills.add_drillschedule"),
            "can_change": request.user.has_perm("drills.change_drillschedule"),
        },
    )


@login_required
@permission_required("drills.add_drillschedule")
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
        {"form": form, "schedule": None, "zone": services.organisation_zone().key},
    )


@login_required
@permission_required("drills.change_drillschedule")
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
        {"form": form, "schedule": schedule, "zone": services.organisation_zone().key},
    )


# --- Calendar feeds ------------------------------------------------------------------------


def feed_url(raw_token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("drills:feed", args=[raw_token])


@never_cache  # the response that shows a new feed URL must not sit in any cache
@login_required
@permission_required("drills.view_calendarfeedtoken")
@require_http_methods(["GET", "POST"])
def feed_tokens(request: HttpRequest) -> HttpResponse:
    """My calendar feeds; POST `action=create` shows a new URL once, `action=revoke` ends one.

    The new URL is rendered in the POST response, never stored: only its hash is kept.
    """
    form = CalendarFeedForm()
    new_url = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            token = CalendarFeedToken.objects.filter(
                user=request.user, pk=request.POST.get("token") or 0
            ).first()
            if token is None:
                messages.error(request, "No such calendar feed.")
            else:
                services.calendar_token_revoke(actor=request.user, token=token)
                messages.success(request, "Feed revoked: its URL no longer answers.")
            return redirect("drills:feed-tokens")
        form = CalendarFeedForm(request.POST)
        if action == "create" and form.is_valid():
            if not request.user.has_perm("drills.add_calendarfeedtoken"):
                raise PermissionDenied("You may not create calendar feeds.")
            _, raw = services.calendar_token_create(
                user=request.user, scope=form.cleaned_data["scope"]
            )
            new_url = feed_url(raw)
            form = CalendarFeedForm()
    return render(
        request,
        "drills/feed_tokens.html",
        {
            "form": form,
            "new_url": new_url,
            "new_webcal": new_url.replace("https://", "webcal://").replace("http://", "webcal://"),
            "tokens": selectors.calendar_token_list(user=request.user),
        },
    )


def _event(drill: Drill, host: str, site: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"drill-{drill.pk}@{host}")
    event.add("dtstamp", drill.updated_at.astimezone(UTC))
    event.add("dtstart", drill.starts_at.astimezone(UTC))
    event.add("dtend", drill.ends_at.astimezone(UTC))
    event.add("summary", f"DR drill: {drill.title}")
    lines = [f"Type: {drill.drill_type.name}", f"Status: {drill.get_status_display()}"]
    if drill.participant_teams:
        lines.append(f"Teams: {drill.participant_teams}")
    people = [p.get_full_name() or p.get_username() for p in drill.participants.all()]
    if people:
        lines.append(f"Participants: {', '.join(people)}")
    if drill.scenario:
        lines.append(f"Scenario: {drill.scenario}")
    event.add("description", "\n".join(lines))
    event.add("url", site + drill.get_absolute_url())
    event.add("status", "CANCELLED" if drill.status == Drill.Status.CANCELLED else "CONFIRMED")
    return event


@never_cache
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed of a private URL (no session: calendar applications call it)."""
    row = selectors.calendar_token_lookup(token)
    if row is None:
        raise Http404("No such calendar feed.")
    site = settings.SITE_URL.rstrip("/")
    host = site.split("://", 1)[-1].split("/", 1)[0] or "bcp-portal"
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{settings.PORTAL_NAME}//Drill calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{settings.PORTAL_NAME}: drills")
    # How often subscribers should fetch again (Apple/Google, then Outlook's spelling).
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for drill in selectors.feed_drills(token=row):
        cal.add_component(_event(drill, host, site))
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="drills.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("drills/", calendar, name="calendar"),
    path("drills/list/", drill_list, name="drill-list"),
    path("drills/new/", drill_create, name="drill-create"),
    path("drills/<int:pk>/", drill_detail, name="drill-detail"),
    path("drills/<int:pk>/edit/", drill_edit, name="drill-edit"),
    path("drills/<int:pk>/cancel/", drill_cancel, name="drill-cancel"),
    path("drills/schedules/", schedule_list, name="schedule-list"),
    path("drills/schedules/new/", schedule_create, name="schedule-create"),
    path("drills/schedules/<int:pk>/edit/", schedule_edit, name="schedule-edit"),
    path("drills/feeds/", feed_tokens, name="feed-tokens"),
    path("drills/feed/<slug:token>.ics", feed, name="feed"),
]
