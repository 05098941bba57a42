"""The account page where people create, see and revoke their own API tokens.

Creating and revoking both ask the person to re-authenticate (password and a fresh code,
`core.reauth`): a token is a lasting credential, and someone at an unlocked browser must
not mint one or cut off a colleague's script. A revoke asks first, on its own form.
"""

from datetime import timedelta
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from knox.models import AuthToken

from bcp_portal.core.api import selectors, services
from bcp_portal.core.forms import PortalFormMixin
from bcp_portal.core.reauth import ReauthFormMixin


class TokenCreateForm(PortalFormMixin, ReauthFormMixin, forms.Form):
    reauth_purpose = "api_token_create"

    lifetime_days = forms.TypedChoiceField(
        label="Expires after",
        choices=[(days, f"{days} days") for days in services.TOKEN_LIFETIMES_DAYS],
        coerce=int,
        initial=90,
    )


class TokenRevokeForm(PortalFormMixin, ReauthFormMixin, forms.Form):
    reauth_purpose = "api_token_revoke"

    digest = forms.CharField(widget=forms.HiddenInput, max_length=128)


@never_cache  # the response that shows a new token must not sit in any cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List my tokens; POST `action=create` shows a new one once; `action=revoke` asks for
    confirmation, then (with the password and code) deletes one.

    The new token is rendered in the POST response rather than carried over a redirect:
    keeping it in the session would store the secret server-side, which knox avoids.
    """
    user = cast(User, request.user)  # login_required
    form = TokenCreateForm(reauth_user=user)
    new_token = None
    tokens = selectors.api_token_list(user=user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            return _revoke(request, user, tokens)
        form = TokenCreateForm(request.POST, reauth_user=user)
        if action == "create" and form.is_valid():
            _, new_token = services.api_token_create(
                actor=user, lifetime=timedelta(days=form.cleaned_data["lifetime_days"])
            )
            form = TokenCreateForm(reauth_user=user)
            tokens = selectors.api_token_list(user=user)
    return render(
        request,
        "account/api_tokens.html",
        {"form": form, "new_token": new_token, "tokens": tokens, "now": timezone.now()},
    )


def _revoke(request: HttpRequest, user: User, tokens: QuerySet[AuthToken]) -> HttpResponse:
    digest = request.POST.get("digest", "")
    token = tokens.filter(digest=digest).first() if digest else None
    if token is None:
        messages.error(request, "No such token: it may have expired or been revoked.")
        return redirect("api-tokens")
    confirming = "confirm" in request.POST
    form = TokenRevokeForm(
        request.POST if confirming else None,
        initial={"digest": digest},
        reauth_user=user,
        reauth_detail={"token": token.token_key[:8]},
    )
    if confirming and form.is_valid():
        if services.api_token_revoke(actor=user, digest=form.cleaned_data["digest"]):
            messages.success(request, "Token revoked: it no longer opens the API.")
        else:
            messages.error(request, "No such token: it may have expired or been revoked.")
        return redirect("api-tokens")
    return render(
        request,
        "account/reauth_form.html",
        {
            "form": form,
            "heading": "Revoke an API token",
            "intro": f"The token starting with {token.token_key[:8]} stops opening the API.",
            "button": "Revoke the token",
            "danger": True,
            "extra_hidden": [("action", "revoke"), ("confirm", "yes")],
            "cancel_url": reverse("api-tokens"),
        },
    )
