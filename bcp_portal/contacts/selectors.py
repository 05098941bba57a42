from __future__ import annotations

from django.db.models import Q, QuerySet

from bcp_portal.contacts.models import Contact
from bcp_portal.core.typehints import Actor


def contact_list(
    *, user: Actor, search: str = "", kind: str = "", include_inactive: bool = False
) -> QuerySet[Contact]:
    qs = Contact.objects.all()
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
    return qs.order_by("name", "pk")
