"""The admin's people pages: Django's user admin, with offboarding and an atomic password form.

"Offboard" on a user's change page (for superusers and holders of `core.offboard_user`)
opens a page that lists what offboarding will revoke, end and hand over, asks who receives
the work, and then runs `core.offboarding.user_offboard`. Once done, the same page shows
the checklist of what moved, read back from the OFFBOARDED account event.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from bcp_portal.core.forms import apply_validation_error
from bcp_portal.core.models import AccountEvent
from bcp_portal.core.offboarding import (
    may_offboard,
    offboarded_checklist,
    offboarding_checklist,
    successor_choices,
    user_offboard,
)
from bcp_portal.core.people import display_name


class SuccessorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{display_name(obj)} ({obj.get_username()})"


class OffboardForm(forms.Form):
    successor = SuccessorChoiceField(
        queryset=User.objects.none(),
        label="Hand their work over to",
        help_text="An active person with a role. They receive everything listed above.",
    )

    def __init__(self, leaver: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = successor_choices(leaver)  # type: ignore[attr-defined]  # a ModelChoiceField


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    def get_urls(self) -> list[URLPattern]:
        offboard = path(
            "<path:object_id>/offboard/",
            self.admin_site.admin_view(self.offboard_view),
            name="auth_user_offboard",
        )
        return [offboard, *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra = {"may_offboard": may_offboard(request.user), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        # The change and its record (revocations, account event, mail) stand or fall together.
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)

    def offboard_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not may_offboard(request.user):
            raise PermissionDenied("Only an administrator who may offboard people can do this.")
        leaver = self.get_object(request, unquote(object_id))
        if leaver is None:
            raise Http404("No such user.")
        form = OffboardForm(leaver, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                user_offboard(
                    actor=request.user, leaver=leaver, successor=form.cleaned_data["successor"]
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"{display_name(leaver)} is offboarded.")
                return redirect(reverse("admin:auth_user_offboard", args=[leaver.pk]))
        done = (
            AccountEvent.objects.filter(user=leaver, kind=AccountEvent.Kind.OFFBOARDED)
            .select_related("actor")
            .first()
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": leaver,
            "leaver_name": display_name(leaver),
            "title": f"Offboard {display_name(leaver)}",
            "form": form,
            "done": done,
            "moved": offboarded_checklist(done) if done else [],
            "checklist": offboarding_checklist(leaver) if leaver.is_active else [],
        }
        return TemplateResponse(request, "admin/auth/user/offboard.html", context)
