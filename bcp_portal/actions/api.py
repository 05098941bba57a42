"""The action tracker's API: /api/v1/actions (list, retrieve, create, partial update).

Writes call the same services as the pages. `status` is writable on PATCH, but a change to
it goes through `action_transition`, so the API moves the state machine exactly as the
status buttons do and an invalid move answers 400 naming `status`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, viewsets

from bcp_portal.actions import selectors, services, sources
from bcp_portal.actions.filters import ActionFilterSet
from bcp_portal.actions.models import Action
from bcp_portal.core.api import serializers as api_serializers
from bcp_portal.core.api.permissions import RolePermissions
from bcp_portal.core.people import display_name


class ActionSourceSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    label = serializers.CharField()
    url = serializers.CharField(allow_blank=True)


class ActionSerializer(api_serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        allow_null=True,
        required=False,
    )
    owner_name = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=Action.Status.choices, required=False)
    source = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    comment = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=services.COMMENT_MAX_LENGTH,
        help_text="With a PATCH of `status`: the evidence for completing or cancelling an "
        "action someone else owns (required then); kept in the action's history.",
    )

    class Meta:
        model = Action
        fields = [
            "id",
            "title",
            "description",
            "owner",
            "owner_name",
            "due_date",
            "status",
            "priority",
            "source",
            "is_overdue",
            "completed_at",
            "created_at",
            "updated_at",
            "url",
            "comment",
        ]
        read_only_fields = ["id", "completed_at", "created_at", "updated_at"]

    def get_fields(self):
        """One field per source that people may set here (`drill_report`), from the registry.

        On create exactly one of them names the action's source; afterwards they are read-only:
        the source of an action never changes once it is recorded.
        """
        fields = super().get_fields()
        settable = [source for source in sources.all_sources() if source.choices is not None]
        for source in settable:
            read_only = self.instance is not None
            fields[source.kind] = SourceField(
                source,
                queryset=None if read_only else source.choices(),
                # With one kind settable here it is simply required; with more, `validate`.
                required=self.instance is None and len(settable) == 1,
                read_only=read_only,
                help_text=f"The {source.label.lower()} this action came from (on create only).",
            )
        return fields

    def get_owner_name(self, action: Action) -> str:
        owner = action.owner
        return display_name(owner)

    @extend_schema_field(ActionSourceSerializer)
    def get_source(self, action: Action) -> dict | None:
        ref = sources.describe(action)
        if ref is None:
            return None
        return {"type": ref.kind, "id": ref.id, "label": ref.label, "url": ref.url}

    def get_is_overdue(self, action: Action) -> bool:
        return action.is_overdue(self.context.get("today"))

    def get_url(self, action: Action) -> str:
        return action.get_absolute_url()

    def validate(self, attrs):
        if self.instance is None and attrs.get("status", Action.Status.OPEN) != Action.Status.OPEN:
            raise serializers.ValidationError(
                {"status": "A new action is open; move it afterwards with a PATCH of its status."}
            )
        if self.instance is None:
            settable = [s.kind for s in sources.all_sources() if s.choices is not None]
            given = [kind for kind in settable if attrs.get(kind) is not None]
            if len(given) != 1:
                field = given[-1] if given else settable[0]
                raise serializers.ValidationError(
                    {field: f"Give exactly one source: {' or '.join(settable)}."}
                )
            attrs["source"] = attrs.pop(given[0])
            for kind in settable:
                attrs.pop(kind, None)
        return attrs


class SourceField(serializers.PrimaryKeyRelatedField):
    """A source row by id; reads as the id when the action came from this kind of source."""

    def __init__(self, action_source: sources.ActionSource, **kwargs):
        # Not `self.source`: DRF fields use that name for the attribute they read.
        self.action_source = action_source
        super().__init__(**kwargs)

    def get_attribute(self, instance: Action):
        if instance.source_kind != self.action_source.kind:
            return None
        return sources.source_of(instance)

    def to_representation(self, value):
        return value.pk if value is not None else None


class MayChangeAction(permissions.BasePermission):
    """Writes to an existing action: its owner or a manager (`services.action_may_change`)."""

    message = (
        "Only the action's owner, the SRE Lead, an Engineering Manager or the CTO may change it."
    )

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in permissions.SAFE_METHODS or services.action_may_change(
            request.user, obj
        )


class ActionViewSet(viewsets.ModelViewSet):
    """The portal's action tracker: improvement actions from drill reports."""

    serializer_class = ActionSerializer
    queryset = Action.objects.none()
    permission_classes = [RolePermissions, MayChangeAction]
    # Unique, so the cursor neither skips nor repeats a row between pages; newest first.
    ordering = "-pk"
    http_method_names = ["get", "post", "patch", "head", "options"]

    # The list page's filters, validated: a malformed value answers 400 naming the parameter.
    filter_backends = [DjangoFilterBackend]
    filterset_class = ActionFilterSet

    def get_queryset(self):
        return selectors.action_list(user=self.request.user, today=self._today())

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": self._today()}

    def _today(self):
        if not hasattr(self, "_today_value"):
            self._today_value = timezone.localdate()
        return self._today_value

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("status", None)
        data.pop("comment", None)
        serializer.instance = services.action_create(actor=self.request.user, **data)

    @transaction.atomic
    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        status = data.pop("status", None)
        comment = data.pop("comment", "")
        action = serializer.instance
        if data:
            services.action_update(actor=self.request.user, action=action, **data)
        if status is not None and status != action.status:
            services.action_transition(
                actor=self.request.user, action=action, status=status, comment=comment
            )
        serializer.instance = action
