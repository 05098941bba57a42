"""The personal iCalendar feed and the page that manages its tokens.

The iCalendar feed is the one page without a login: its private URL carries a token whose
SHA-256 is looked up; an unknown or revoked token is a 404, so the URL reveals nothing.

Feeds do not record `last_used_at`. Calendar applications poll every few minutes to hours,
and `CalendarFeedToken` is historised: saving on each poll would add a history row per poll,
and a `QuerySet.update()` would change a historised row behind its history's back. Keeping
the time elsewhere needs a non-historised table (a migration) for a nicety, so the field is
left unused until that is worth it.
"""

from __future__ import annotations

from datetime import UTC, timedelta

import icalendar
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from bcp_portal.core.people import display_name
from bcp_portal.core.roles import permission_required
from drills import selectors
from drills.calendar_forms import CalendarFeedForm
from drills.models import (
    CalendarFeedToken,
    Drill,
)
from drills.services import feeds as services

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
    people = [display_name(p) for p in drill.participant_list]  # selectors.drill_list's
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
