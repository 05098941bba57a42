"""The drills API: the calendar's drills, read by everyone with a role, written by the SRE Lead.

Writes call the same services as the pages (`drill_create`, `drill_update`), so an edit
through the API marks the drill as edited by a person just as the page does.
"""

from django.contrib.auth import get_user_model
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers, viewsets

from bcp_portal.core import limits
from bcp_portal.core.api.idempotency import idempotent
from bcp_portal.core.api.serializers import PortalModelSerializer
from drills import selectors
from drills.filters import DrillFilterSet
from drills.models import (
    MAX_PLANNED_DURATION_MINUTES,
    PLANNED_DURATION_RANGE,
    Drill,
    DrillType,
)
from drills.services import planning as services


class DrillSerializer(PortalModelSerializer):
    drill_type = serializers.SlugRelatedField(
        slug_field="key", queryset=DrillType.objects.filter(is_active=True)
    )
    drill_type_name = serializers.CharField(source="drill_type.name", read_only=True)
    # Read from the list `selectors.drill_list` prefetches; `_fields` names it back for the
    # services.
    participants = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=get_user_model().objects.filter(is_active=True),
        source=selectors.PARTICIPANT_LIST,
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    # The bounds of `validate_planned_duration`, as min and max so the schema states them.
    planned_duration_minutes = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PLANNED_DURATION_MINUTES,
        error_messages=dict.fromkeys(("min_value", "max_value"), PLANNED_DURATION_RANGE),
    )
    ends_at = serializers.DateTimeField(read_only=True)
    is_overdue = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()

    class Meta:
        model = Drill
        max_rows = {"participants": limits.DRILL_PARTICIPANTS_MAX}
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


class DrillViewSet(viewsets.ModelViewSet):
    """Drills on the calendar: planned, done (a report was submitted) or cancelled."""

    serializer_class = DrillSerializer
    queryset = Drill.objects.none()
    # Unique, so the cursor neither skips nor repeats a row between pages.
    ordering = "pk"
    http_method_names = ["get", "post", "patch", "head", "options"]

    # The list page's filters, validated: a malformed value answers 400 naming the parameter.
    filter_backends = [DjangoFilterBackend]
    filterset_class = DrillFilterSet

    def get_queryset(self):
        return selectors.drill_list(user=self.request.user)

    create = idempotent(viewsets.ModelViewSet.create)

    def perform_create(self, serializer):
        drill = services.drill_create(actor=self.request.user, **_fields(serializer))
        serializer.instance = selectors.drill_detail(user=self.request.user, pk=drill.pk)

    def perform_update(self, serializer):
        drill = services.drill_update(
            actor=self.request.user, drill=serializer.instance, **_fields(serializer)
        )
        serializer.instance = selectors.drill_detail(user=self.request.user, pk=drill.pk)


def _fields(serializer: DrillSerializer) -> dict:
    """The validated fields under the services' names (participants, not the read list)."""
    fields = dict(serializer.validated_data)
    if selectors.PARTICIPANT_LIST in fields:
        fields["participants"] = fields.pop(selectors.PARTICIPANT_LIST)
    return fields
