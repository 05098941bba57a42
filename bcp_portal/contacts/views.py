"""Pages of the contact directory."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods, require_safe

from bcp_portal.contacts import selectors, services
from bcp_portal.contacts.filters import ContactFilterSet
from bcp_portal.contacts.forms import ContactForm
from bcp_portal.contacts.models import Contact
from bcp_portal.core.filters import filtered_by
from bcp_portal.core.forms import submit_form
from bcp_portal.core.paginator import page_of
from bcp_portal.core.roles import permission_required


@login_required
@permission_required("contacts.view_contact")
@require_safe
@filtered_by(ContactFilterSet)
def contact_list(request):
    params = request.GET
    filterset = ContactFilterSet(
        params,
        queryset=selectors.contact_list(user=request.user, include_inactive=True),
        request=request,
    )
    valid = filterset.is_valid()
    qs = filterset.qs if valid else filterset.queryset.none()
    page, page_error = page_of(Paginator(qs, 25), params)
    return render(
        request,
        "contacts/list.html",
        {
            "page": page,
            "page_error": page_error,
            "filter_form": filterset.form,
            "kinds": Contact.Kind.choices,
            "can_add": request.user.has_perm("contacts.add_contact"),
        },
        status=200 if valid and not page_error else 400,
    )


@login_required
@permission_required("contacts.view_contact")
@require_safe
def contact_detail(request, pk: int):
    contact = get_object_or_404(Contact, pk=pk)
    return render(
        request,
        "contacts/detail.html",
        {
            "contact": contact,
            "can_change": request.user.has_perm("contacts.change_contact"),
        },
    )


@login_required
@permission_required("contacts.add_contact")
@require_http_methods(["GET", "POST"])
def contact_create(request):
    form = ContactForm(request.POST or None)
    saved = submit_form(
        request,
        form,
        lambda data: services.contact_create(actor=request.user, **data),
        success=lambda contact: f"“{contact}” added to the directory.",
    )
    if saved:
        return saved
    return render(request, "contacts/form.html", {"form": form, "contact": None})


@login_required
@permission_required("contacts.change_contact")
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk: int):
    contact = get_object_or_404(Contact, pk=pk)
    form = ContactForm(request.POST or None, instance=Contact.objects.get(pk=pk))
    saved = submit_form(
        request,
        form,
        lambda data: services.contact_update(actor=request.user, contact=contact, **data),
        success=lambda contact: f"“{contact}” saved.",
    )
    if saved:
        return saved
    return render(request, "contacts/form.html", {"form": form, "contact": contact})
