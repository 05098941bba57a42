from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from bcp_portal.actions.models import Action
from bcp_portal.actions.services import ACTION_EDITABLE_FIELDS, action_update
from bcp_portal.actions.sources import (
    all_sources,
    label_of,
    list_only_paths,
    select_related_paths,
)
from bcp_portal.core.admin_base import ServiceBackedAdmin
from bcp_portal.core.roles import role_holders_and


class SourceKindFilter(admin.SimpleListFilter):
    """The source kinds from the registry, not a DISTINCT over every action."""

    title = "source"
    parameter_name = "source_kind"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(source.kind, source.plural) for source in all_sources()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Action]) -> QuerySet[Action]:
        return queryset.filter(source_kind=self.value()) if self.value() else queryset


@admin.register(Action)
class ActionAdmin(ServiceBackedAdmin):
    """Edits go through action_update, so only the owner or a manager changes an action.

    Actions are added from their source (a drill report, a post-mortem) in the portal; the
    status moves only through action_transition (the portal's buttons), so it is shown here.
    """

    list_display = ["title", "owner", "due_date", "status", "priority", "source_label"]
    list_filter = ["status", "priority", SourceKindFilter]
    search_fields = ["title", "description"]
    # A plain list of the people who may own an action (`roles.role_holders_and`), not an
    # autocomplete over every account: the owner holds a role.
    # No date_hierarchy: its year list is a DISTINCT over the whole table on every page;
    # the portal's own lists filter by date.
    fields = (*ACTION_EDITABLE_FIELDS, "status", "completed_at", "source_label")
    readonly_fields = ["status", "completed_at", "source_label"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("owner", *select_related_paths())
            .only(*list_only_paths())
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = role_holders_and(self._current_owner_id(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _current_owner_id(self, request: HttpRequest) -> int | None:
        match = request.resolver_match
        object_id = match.kwargs.get("object_id") if match else None
        if not object_id:
            return None
        return Action.objects.filter(pk=object_id).values_list("owner_id", flat=True).first()

    def service_update(self, *, actor, obj, fields):
        return action_update(actor=actor, action=obj, **fields)

    @admin.display(description="source")
    def source_label(self, action: Action) -> str:
        return label_of(action) or "—"
