from __future__ import annotations

from django.db.models import Q, QuerySet

from bcp_portal.contacts.models import Contact
from bcp_portal.core.typehints import Actor


def contact_list(
    *, user: Actor, search: str = "", kind: str = "", include_inactive: bool = False
) -> QuerySet[Contact]:
    qs = filter_contacts(
        Contact.objects.all(), search=search, kind=kind, include_inactive=include_inactive
    )
    return qs.order_by("name", "pk")


def filter_contacts(
    qs: QuerySet[Contact], *, search: str = "", kind: str = "", include_inactive: bool = False
) -> QuerySet[Contact]:
    """Validated filters (`bcp_portal.contacts.filters.ContactFilterSet` parses them)."""
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(organisation__icontains=search)
            | Q(email__icontains=search)
            | Q(role_title__icontains=search)
        )
    if kind:
        qs = qs.filter(kind=kind)
    return qs
