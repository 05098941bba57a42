"""The drills API: the calendar's drills, read by everyone with a role, written by the SRE Lead.

Writes call the same services as the pages (`drill_create`, `drill_update`), so an edit
through the API marks the drill as edited by a person just as the page does.
"""

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from drills import selectors
from drills.models import Drill, DrillType, Result, validate_planned_duration
from drills.services import planning as services


class DrillSerializer(serializers.ModelSerializer):
    drill_type = serializers.SlugRelatedField(
        slug_field="key", queryset=DrillType.objects.filter(is_active=True)
    )
    drill_type_name = serializers.CharField(source="drill_type.name", read_only=True)
    participants = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=get_user_model().objects.filter(is_active=True)
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    planned_duration_minutes = serializers.IntegerField(
        required=False, validators=[validate_planned_duration]
    )
    ends_at = serializers.DateTimeField(read_only=True)
    is_overdue = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()

    class Meta:
        model = Drill
        fields = [
            "id",
            "drill_type",
            "drill_type_name",
            "title",
            "scenario",
            "starts_at",
            "ends_at",
            "planned_duration_minutes",
            "participants",
            "participant_teams",
            "status",
            "is_overdue",
            "result",
            "schedule",
            "occurrence_date",
            "edited_by_person",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "schedule",
            "occurrence_date",
            "edited_by_person",
            "created_at",
            "updated_at",
        ]

    def get_is_overdue(self, drill: Drill) -> bool:
        return drill.is_overdue()

    def get_result(self, drill: Drill) -> str:
        """PASS or FAIL from the submitted report; empty while there is none."""
        return selectors.drill_result(drill)

    def validate(self, attrs):
        if self.instance is not None and "drill_type" in attrs:
            if attrs["drill_type"] != self.instance.drill_type:
                raise serializers.ValidationError(
                    {"drill_type": ["The type of a drill cannot change; plan a new drill."]}
                )
            attrs.pop("drill_type")
        return attrs


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("type", OpenApiTypes.STR, description="Drill type key."),
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=[value for value, _ in selectors.STATUS_FILTERS],
            ),
            OpenApiParameter("result", OpenApiTypes.STR, enum=Result.values),
            OpenApiParameter(
                "quarter", OpenApiTypes.STR, description="e.g. 2027-Q1 (organisation time)."
            ),
            OpenApiParameter("participant", OpenApiTypes.STR, description="A user id, or “me”."),
            OpenApiParameter("search", OpenApiTypes.STR, description="Title, scenario, type…"),
        ]
    )
)
class DrillViewSet(viewsets.ModelViewSet):
    """Drills on the calendar: planned, done (a report was submitted) or cancelled."""

    serializer_class = DrillSerializer
    queryset = Drill.objects.none()
    # Unique, so the cursor neither skips nor repeats a row between pages.
    ordering = "pk"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        params = self.request.query_params
        return selectors.drill_list(
            user=self.request.user,
            drill_type=params.get("type", ""),
            status=params.get("status", ""),
            result=params.get("result", ""),
            quarter=params.get("quarter", ""),
            participant=params.get("participant", ""),
            search=params.get("search", ""),
        )

    def perform_create(self, serializer):
        serializer.instance = services.drill_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.drill_update(
            actor=self.request.user, drill=serializer.instance, **serializer.validated_data
        )
