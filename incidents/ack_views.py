"""The acknowledgement link of a page: public (no sign-in), signed, expiring.

Its token is the credential, as a password reset link's: it names one page and is signed
(`incidents.acknowledgement.ack_token`) and valid ACK_LINK_MAX_AGE from delivery. GET only shows
what would be acknowledged (mail scanners and link previews follow links); the form's POST
acknowledges as the person paged, whoever is signed in on the browser, if anyone. The POST
keeps Django's CSRF check (the GET sets the cookie, a phone's browser sends it back) and is
exempt from the two-factor gate (`TWO_FACTOR_EXEMPT_VIEWS`), as the link, not a session,
is what authenticates it. An expired link answers 410, a tampered or unknown one 400, each
with a page that says so; never a 500.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from incidents.acknowledgement import AckLinkError, incident_acknowledge, page_for_token


@never_cache
@require_http_methods(["GET", "POST"])
def page_ack(request: HttpRequest, token: str) -> HttpResponse:
    try:
        page = page_for_token(token)
    except AckLinkError as exc:
        status = 410 if exc.expired else 400
        return render(request, "incidents/ack_refused.html", {"reason": str(exc)}, status=status)
    incident = page.escalation.incident
    done = False
    if request.method == "POST" and page.acknowledged_at is None:
        page = incident_acknowledge(actor=page.user, page=page)
        done = True
    return render(
        request,
        "incidents/ack_confirm.html",
        {"page": page, "incident": incident, "done": done, "stopped": page.escalation.stopped_at},
    )
