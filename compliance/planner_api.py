"""The deadline planner and the regimes under /api/v1/.

- `POST deadlines/evaluate`: the facts as JSON (the shape of `manage.py deadlines`,
  docs/deadlines.md), answered with the obligations they would start, as a JSON list;
  nothing is stored. DPO and Legal Counsel, as the planner page. A bad field answers 400
  naming its path (`entities.0.time_zone`).
- `GET regimes` and `GET regimes/{key}`: every regime of the data file with whether it is
  enabled, its version and, for the seed's internal rules, the parameters in force; the
  stages with their counting method, period, anchor and verified label. Read-only, for
  every role (the legal facts are public; who is notified is no secret inside the
  organisation).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bcp_portal.core.api.errors import ErrorSerializer
from bcp_portal.core.api.serializers import PortalModelSerializer
from bcp_portal.core.roles import ALL_ROLES, has_role
from compliance import regime_loader
from compliance.deadlines.io import CaseInputError
from compliance.models_notifications import NotificationRegime
from compliance.planner import PLANNER_ROLES, deadlines_evaluate


class HoldsRole(permissions.BasePermission):
    """Signed in and holding one of `roles` (superusers pass)."""

    roles: tuple[str, ...] = ALL_ROLES
    message = "Your roles do not allow this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and has_role(request.user, *self.roles))


class Planners(HoldsRole):
    roles = PLANNER_ROLES
    message = "The deadline planner is for the DPO and Legal Counsel."


class PlannedObligationSerializer(serializers.Serializer):
    """One obligation (`compliance.deadlines.io.result_json`), for the schema."""

    regime = serializers.CharField()
    regime_name = serializers.CharField()
    stage = serializers.CharField()
    stage_name = serializers.CharField()
    notify = serializers.CharField()
    required = serializers.BooleanField()
    reason = serializers.CharField(help_text="Why it is required, or why not.")
    entity = serializers.CharField(help_text="The entity that brings the regime in.")
    due_utc = serializers.DateTimeField(allow_null=True, help_text="Null: not computable.")
    due_local = serializers.DateTimeField(allow_null=True, help_text="In `local_zone`.")
    due_date = serializers.DateField(allow_null=True, help_text="Day-counted stages only.")
    local_zone = serializers.CharField()
    counting = serializers.CharField()
    period = serializers.IntegerField(allow_null=True)
    rule = serializers.CharField()
    basis = serializers.CharField(help_text="How the due time was computed.")
    anchor = serializers.CharField()
    anchor_utc = serializers.DateTimeField(allow_null=True)
    provisional = serializers.BooleanField()
    waiting_for = serializers.CharField()
    alternative = serializers.DictField(allow_null=True)
    relief = serializers.CharField()
    verified = serializers.BooleanField()


class DeadlineEvaluateViewSet(viewsets.ViewSet):
    """What-if: which obligations would these facts start, and when are they due."""

    permission_classes = [Planners]
    serializer_class = PlannedObligationSerializer
    # One computed answer, never paged.
    pagination_class = None

    @extend_schema(
        summary="Evaluate hypothetical facts against every regime (nothing is stored)",
        request=OpenApiTypes.OBJECT,
        responses={
            200: PlannedObligationSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description="A field is missing or wrong."),
        },
    )
    def create(self, request: Request) -> Response:
        try:
            obligations = deadlines_evaluate(request.data)
        except CaseInputError as exc:
            raise ValidationError(exc.errors) from None
        return Response(obligations, status=status.HTTP_200_OK)


class RegimeSerializer(PortalModelSerializer):
    parameters = serializers.SerializerMethodField(
        help_text="Internal rules: the parameters in force (edited, else the data file's)."
    )
    verified = serializers.SerializerMethodField()
    stages = serializers.SerializerMethodField()

    class Meta:
        model = NotificationRegime
        fields = [
            "key",
            "name",
            "jurisdiction",
            "is_internal",
            "enabled",
            "data_version",
            "verified",
            "parameters",
            "stages",
        ]
        read_only_fields = fields

    def _file(self, regime: NotificationRegime) -> dict[str, Any]:
        return regime_loader.file_regimes().get(regime.key, {})

    def get_parameters(self, regime: NotificationRegime) -> dict[str, Any] | None:
        if not regime.is_internal:
            return None
        values = regime_loader.file_defaults(regime.key)
        for column, name in regime_loader.PARAMETERS.items():
            value = getattr(regime, column)
            if value not in (None, ""):
                values[name] = value
        return values

    def get_verified(self, regime: NotificationRegime) -> bool | None:
        data = self._file(regime)
        return bool(data["verified"]) if "verified" in data else None

    def get_stages(self, regime: NotificationRegime) -> list[dict[str, Any]]:
        return [
            {
                "key": stage["key"],
                "name": stage["name"],
                "notify": stage.get("notify", ""),
                "counting": stage["counting"],
                # An internal rule's period names its parameter: see `parameters`.
                "period": stage["period"] if isinstance(stage.get("period"), int) else None,
                "anchor": stage["anchor"],
                "deadline_text": stage.get("deadline_text", ""),
                "verified": bool(stage.get("verified", False)),
            }
            for stage in self._file(regime).get("stages", [])
        ]


class RegimeViewSet(viewsets.ReadOnlyModelViewSet):
    """The notification regimes: enabled or not, and what each stage counts from."""

    serializer_class = RegimeSerializer
    permission_classes = [HoldsRole]
    queryset = NotificationRegime.objects.all()
    lookup_field = "key"
    lookup_value_regex = "[a-z0-9_-]{1,64}"
    ordering = "key"
