"""The account page where people create, see and revoke their own API tokens."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bcp_portal.core.api import selectors, services


class TokenCreateForm(forms.Form):
    lifetime_days = forms.TypedChoiceField(
        label="Expires after",
        choices=[(days, f"{days} days") for days in services.TOKEN_LIFETIMES_DAYS],
        coerce=int,
        initial=90,
    )


@never_cache  # the response that shows a new token must not sit in any cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List my tokens; POST `action=create` shows a new one once, `action=revoke` deletes one.

    The new token is rendered in the POST response rather than carried over a redirect:
    keeping it in the session would store the secret server-side, which knox avoids.
    """
    form = TokenCreateForm()
    new_token = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            if services.api_token_revoke(actor=request.user, digest=request.POST.get("digest", "")):
                messages.success(request, "Token revoked: it no longer opens the API.")
            else:
                messages.error(request, "No such token: it may have expired or been revoked.")
            return redirect("api-tokens")
        form = TokenCreateForm(request.POST)
        if action == "create" and form.is_valid():
            _, new_token = services.api_token_create(
                actor=request.user, lifetime=timedelta(days=form.cleaned_data["lifetime_days"])
            )
            form = TokenCreateForm()
    return render(
        request,
        "account/api_tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": selectors.api_token_list(user=request.user),
            "now": timezone.now(),
        },
    )
