"""The admin's two shapes for a domain (historised) model: it writes through the services, or
it only shows.

The pages and the API write through the services (permission, validation, side effects such
as replanning drills); the admin must not be a back door around them. So every domain model's
ModelAdmin derives from one of:

- `ReadOnlyAdmin`: no add, change, delete, bulk action or revert; the rows and their history
  are shown.
- `ServiceBackedAdmin`: add and change call the model's services with `actor=request.user`. The
  form runs the service once inside a savepoint it always rolls back, so whatever the service
  refuses (a permission, a rule, a validation) comes back as a form error with the input
  kept; `save_model` then runs it for real inside the admin's own transaction. No domain
  model has a delete service, so nothing is deleted from the admin.

Both refuse simple-history's "revert to this version": a revert writes an old row back with
`save()` and the form's m2m directly, past every service. The history stays readable; to
undo a change, edit the fields back.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage
from django.core.validators import RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from bcp_portal.core.forms import apply_input_rules, apply_validation_error
from bcp_portal.core.links import detail_url
from bcp_portal.core.models import SubmissionKey
from bcp_portal.core.paginator import CappedPaginator
from bcp_portal.core.submissions import (
    ALREADY_SAVED,
    FORM_TOKEN,
    FORM_TOKEN_FIELD,
    AlreadySubmitted,
    new_form_token,
)
from bcp_portal.core.typehints import Actor

REVERT_REFUSED = (
    "Reverting to an earlier version is not offered here: it would skip the portal's rules. "
    "Change the fields back instead; the history keeps every earlier value."
)


class _DryRun(Exception):
    """Raised inside the validation savepoint so the service's writes are rolled back."""


class PortalChangeList(ChangeList):
    """Django's changelist, linking each row to its change page without a `reverse()` a row
    (`links.detail_url`: the same URL, the route reversed once), and reading its page and
    its capped count in one statement (`read_page_and_count`)."""

    TOTAL = "paginator_total"  # the annotation carrying the capped count on every row

    def read_page_and_count(self, paginator: CappedPaginator, number: int) -> list[Any] | None:
        """Page `number`'s rows, read with the paginator's capped count in the same statement,
        which the paginator then keeps; None (and nothing kept) for a page without rows.

        Django's changelist asks the count, then the page: two round trips. Here the count
        is a scalar subquery on every row of the page (`SELECT ..., (SELECT COUNT(*) FROM
        (... LIMIT cap + 1) capped) FROM ... LIMIT 25`): the database counts exactly as
        `CappedPaginator` does, in the same statement. An empty page carries no count; the
        paginator then asks it on its own, as before."""
        rows = paginator.object_list
        if not isinstance(rows, models.QuerySet) or number < 1:
            return None
        keys = rows.order_by()
        if not keys.query.values_select:
            keys = keys.values("pk")
        sql, params = keys[: paginator.cap + 1].query.sql_with_params()
        # Django compiled this SQL, with its parameters apart.
        total = RawSQL(f"SELECT COUNT(*) FROM ({sql}) capped", params)  # noqa: S608, S611
        bottom = (number - 1) * paginator.per_page
        page = list(rows.annotate(**{self.TOTAL: total})[bottom : bottom + paginator.per_page])
        if not page:
            return None
        # The paginator's own cached count, as if it had counted (`CappedPaginator`).
        paginator.__dict__["_capped_count"] = getattr(page[0], self.TOTAL)
        return page

    def get_results(self, request: HttpRequest) -> None:
        """Django's `ChangeList.get_results`, but the page asked for is read with the count
        first, and a list that fits one page shows those rows rather than reading them
        again."""
        paginator = self.model_admin.get_paginator(request, self.queryset, self.list_per_page)
        read = None
        if isinstance(paginator, CappedPaginator) and not self.show_all:
            read = self.read_page_and_count(paginator, self.page_num)
        result_count = paginator.count
        if self.model_admin.show_full_result_count:
            full_result_count = self.root_queryset.count()
        else:
            full_result_count = None
        can_show_all = result_count <= self.list_max_show_all
        multi_page = result_count > self.list_per_page
        if (self.show_all and can_show_all) or not multi_page:
            # Every row fits one page: the first page's rows are all of them.
            result_list = (
                read if read is not None and self.page_num == 1 else self.queryset._clone()
            )
        else:
            try:
                number = paginator.validate_number(self.page_num)
                result_list = read if read is not None else paginator.page(number).object_list
            except InvalidPage:
                raise IncorrectLookupParameters from None
        self.result_count = result_count
        self.show_full_result_count = self.model_admin.show_full_result_count
        self.show_admin_actions = not self.show_full_result_count or bool(full_result_count)
        self.full_result_count = full_result_count
        self.result_list = result_list
        self.can_show_all = can_show_all
        self.multi_page = multi_page
        self.paginator = paginator

    def url_for_result(self, result: models.Model) -> str:
        pk = getattr(result, self.pk_attname)
        if type(pk) is int and self.model_admin.admin_site.name == admin.site.name:
            return detail_url(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", pk)
        return super().url_for_result(result)


class CappedListAdmin(admin.ModelAdmin):
    """A changelist as the portal's own lists page. No exact COUNT(*) of the whole table
    (Django runs two per changelist): the count stops at the paginator's cap. And 25 rows a
    page: Django renders each changelist row through its generic column machinery (about
    0.3 ms a row), the bulk of a large admin page; `templates/admin/change_list.html` renders
    the rows with each column worked out once (`core/templatetags/admin_rows.py`)."""

    show_full_result_count = False
    paginator = CappedPaginator
    list_per_page = 25
    # The columns a page of the list shows (with `list_select_related`'s), when set: the
    # page reads those, not every column of its rows and their related rows. Only the
    # displayed page: the change form and the actions get whole rows. A column shown but
    # not listed here costs a query a row, which the changelists' pinned query counts catch.
    list_only: tuple[str, ...] = ()

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return PortalChangeList

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: models.QuerySet[Any],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
    ) -> CappedPaginator:
        if self.list_only:
            queryset = queryset.only(*self.list_only)
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page)


class DomainAdmin(CappedListAdmin, SimpleHistoryAdmin):
    """History shown, never reverted; nothing deleted (no domain model has a delete service)."""

    def revert_disabled(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return True

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST":
            self.message_user(request, REVERT_REFUSED, messages.ERROR)
            opts = self.model._meta
            return redirect(
                reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history",
                    args=[object_id],
                )
            )
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def action_checkbox(self, obj: models.Model) -> SafeString:
        """Django's checkbox column, the same markup, written directly: Django renders a
        form widget's template for it on every row, a fifth of a changelist's time."""
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )


class ShownOnlyAdmin(CappedListAdmin):
    """A row without history (a log, a credential, the machinery) shown, never added,
    changed or deleted here; a subclass may add an action that writes through a service.
    Not `ReadOnlyAdmin`: that one is a history admin, and these rows have no history."""

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class ReadOnlyAdmin(DomainAdmin):
    """Shown, never written: the portal (or nothing yet) is where this model changes."""

    actions = None

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class ServiceBackedAdmin(DomainAdmin):
    """Add and change through the model's services; subclasses say which.

    `service_create(actor=..., fields=...)` (leave unset when the admin adds nothing) and
    `service_update(actor=..., obj=..., fields=...)` receive the form's cleaned data; `obj`
    is a fresh copy from the database, untouched by the form. The form's fields must be
    exactly what the service accepts.

    The add form carries a one-time token, as the portal's create forms do
    (`bcp_portal.core.submissions`): sent twice, it adds one row and the repeat goes to it.
    """

    actions = None
    inlines = ()  # The services write related rows; an inline would save past them.
    add_form_template = "admin/service_backed_add_form.html"

    def service_create(self, *, actor: Actor, fields: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def service_update(
        self, *, actor: Actor, obj: models.Model, fields: dict[str, Any]
    ) -> models.Model:
        raise NotImplementedError

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        creates = type(self).service_create is not ServiceBackedAdmin.service_create
        return creates and super().has_add_permission(request)

    def _call_service(self, request: HttpRequest, form: forms.ModelForm) -> models.Model:
        fields = {name: form.cleaned_data[name] for name in form.fields if name != FORM_TOKEN_FIELD}
        if form.instance.pk is None:
            return self.service_create(actor=request.user, fields=fields)
        original = self.model._default_manager.get(pk=form.instance.pk)
        return self.service_update(actor=request.user, obj=original, fields=fields)

    def _validate_through_service(self, request: HttpRequest, form: forms.ModelForm) -> None:
        try:
            with transaction.atomic():
                self._call_service(request, form)
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "You may not make this change.")

    def get_form(
        self,
        request: HttpRequest,
        obj: models.Model | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm]:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceBackedForm(form_class):  # type: ignore[valid-type,misc]  # a class made at run time
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                apply_input_rules(self)

            def full_clean(self) -> None:
                super().full_clean()
                if self.is_bound and not self._errors:
                    model_admin._validate_through_service(request, self)

        if obj is None:
            ServiceBackedForm.base_fields[FORM_TOKEN_FIELD] = forms.CharField(
                required=False,
                widget=forms.HiddenInput,
                initial=new_form_token,
                validators=[RegexValidator(FORM_TOKEN, "The one-time token is damaged.")],
            )

        ServiceBackedForm.__name__ = form_class.__name__
        return ServiceBackedForm

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        token = request.POST.get(FORM_TOKEN_FIELD, "") if request.method == "POST" else ""
        try:
            if object_id is None and FORM_TOKEN.fullmatch(token) and request.user.is_authenticated:
                record = SubmissionKey.objects.filter(user=request.user, key=f"admin:{token}")
                if (earlier := record.first()) is not None:
                    raise AlreadySubmitted(earlier)
            return super().changeform_view(request, object_id, form_url, extra_context)
        except AlreadySubmitted as repeat:
            self.message_user(request, ALREADY_SAVED, messages.INFO)
            return redirect(repeat.record.result_url or request.path)

    def save_model(
        self, request: HttpRequest, obj: models.Model, form: forms.ModelForm, change: bool
    ) -> None:
        token = "" if change else form.cleaned_data.get(FORM_TOKEN_FIELD) or ""
        if not token or not request.user.is_authenticated:
            self._save_through_service(request, obj, form)
            return
        # Inside the admin's own transaction: a racing repeat waits here, then is refused.
        try:
            with transaction.atomic():
                record = SubmissionKey.objects.create(user=request.user, key=f"admin:{token}")
        except IntegrityError:
            raise AlreadySubmitted(
                SubmissionKey.objects.get(user=request.user, key=f"admin:{token}")
            ) from None
        self._save_through_service(request, obj, form)
        opts = self.model._meta
        record.result_url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]
        )
        record.save(update_fields=["result_url"])

    def _save_through_service(
        self, request: HttpRequest, obj: models.Model, form: forms.ModelForm
    ) -> None:
        saved = self._call_service(request, form)
        # The admin goes on with `obj` (its log entry, its redirect): make it the saved row.
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        """The service wrote the many-to-many fields it accepts; nothing else is saved."""
