"""The on-call API: rotations (read), who is on call now, the shifts of the coming weeks,
and overrides (read, and create through the same service as the page, with its rule: the
SRE Lead adds any, an SRE one for a swap involving themselves)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bcp_portal.core.api.idempotency import idempotent
from bcp_portal.core.api.serializers import PortalModelSerializer
from bcp_portal.core.roles import role_holders
from incidents import oncall_selectors as selectors
from incidents.models import OnCallOverride, OnCallRotation
from incidents.services.oncall import override_create


class RotationSerializer(PortalModelSerializer):
    members = serializers.SerializerMethodField()

    class Meta:
        model = OnCallRotation
        fields = ["id", "name", "starts_at", "shift_days", "is_active", "members"]
        read_only_fields = fields

    def get_members(self, rotation: OnCallRotation) -> list[int]:
        """User ids in rotation order."""
        return [link.user_id for link in rotation.member_list]  # type: ignore[attr-defined]


class OnCallNowSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    rotation = serializers.IntegerField(allow_null=True)
    primary = serializers.IntegerField(allow_null=True)
    secondary = serializers.IntegerField(allow_null=True)
    primary_override = serializers.IntegerField(allow_null=True)
    secondary_override = serializers.IntegerField(allow_null=True)


class ShiftSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    primary = serializers.IntegerField(allow_null=True)
    secondary = serializers.IntegerField(allow_null=True)
    overrides = serializers.ListField(child=serializers.IntegerField())


class RotaSerializer(serializers.Serializer):
    rotation = serializers.IntegerField(allow_null=True)
    shifts = ShiftSerializer(many=True)


def _pk(obj: Any) -> int | None:
    return None if obj is None else int(obj.pk)


class RotationViewSet(viewsets.ReadOnlyModelViewSet):
    """On-call rotations; `now` and `shifts` read the active one."""

    serializer_class = RotationSerializer
    queryset = OnCallRotation.objects.none()
    ordering = "pk"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        from django.db.models import Prefetch

        from incidents.models import RotationMember

        return OnCallRotation.objects.prefetch_related(
            Prefetch(
                "member_links",
                queryset=RotationMember.objects.order_by("position"),
                to_attr="member_list",
            )
        )

    @extend_schema(responses=OnCallNowSerializer)
    @action(detail=False, methods=["get"])
    def now(self, request: Request) -> Response:
        """Who is primary and secondary now (an override wins over the rotation)."""
        who = selectors.on_call_at(timezone.now())
        return Response(
            OnCallNowSerializer(
                {
                    "at": who.at,
                    "rotation": _pk(who.rotation),
                    "primary": _pk(who.primary),
                    "secondary": _pk(who.secondary),
                    "primary_override": _pk(who.primary_override),
                    "secondary_override": _pk(who.secondary_override),
                }
            ).data
        )

    @extend_schema(responses=RotaSerializer)
    @action(detail=False, methods=["get"])
    def shifts(self, request: Request) -> Response:
        """The active rotation's shift under way and those starting in the next four weeks,
        each with the ids of the overrides that fall in it."""
        rotation = selectors.active_rotation()
        rows = [
            {
                "starts_at": row.shift.starts_at,
                "ends_at": row.shift.ends_at,
                "primary": _pk(row.primary),
                "secondary": _pk(row.secondary),
                "overrides": [o.pk for o in row.overrides],
            }
            for row in selectors.rota(rotation=rotation)
        ]
        return Response(RotaSerializer({"rotation": _pk(rotation), "shifts": rows}).data)


class OverrideSerializer(PortalModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())
    rotation = serializers.PrimaryKeyRelatedField(
        queryset=OnCallRotation.objects.filter(is_active=True), required=False
    )

    class Meta:
        model = OnCallOverride
        fields = [
            "id",
            "rotation",
            "slot",
            "user",
            "starts_at",
            "ends_at",
            "reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "created_by", "created_at"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["user"].queryset = role_holders()
        return fields


class OverrideViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Overrides of the on-call rotation (a swap, a holiday). Ended ones are listed too."""

    serializer_class = OverrideSerializer
    queryset = OnCallOverride.objects.none()
    ordering = "-pk"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return OnCallOverride.objects.select_related("user", "created_by")

    create = idempotent(mixins.CreateModelMixin.create)

    def perform_create(self, serializer: OverrideSerializer) -> None:  # type: ignore[override]
        data = dict(serializer.validated_data)
        rotation = data.pop("rotation", None) or selectors.active_rotation()
        if rotation is None:
            raise serializers.ValidationError({"rotation": ["There is no active rotation."]})
        serializer.instance = override_create(actor=self.request.user, rotation=rotation, **data)
