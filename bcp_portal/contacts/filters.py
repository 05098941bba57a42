"""The contact directory's filters: `q` (search), `kind`, `inactive` (1 or 0)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bcp_portal.contacts import selectors
from bcp_portal.contacts.models import Contact
from bcp_portal.core import filters


class ContactFilterSet(filters.PortalFilterSet):
    q = filters.SearchFilter(help_text="Name, organisation, email or role.")
    kind = filters.ChoiceFilter(choices=Contact.Kind.choices)
    inactive = filters.YesNoFilter(help_text="Also contacts no longer active.")

    def apply(self, queryset: QuerySet[Contact], values: dict[str, Any]) -> QuerySet[Contact]:
        return selectors.filter_contacts(
            queryset,
            search=(values["q"] or "").strip(),
            kind=values["kind"] or "",
            include_inactive=bool(values["inactive"]),
        )
