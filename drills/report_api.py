"""Drill reports over the API, so a CI pipeline can post the result of a drill it ran.

POST /api/v1/drill-reports with the report, its steps, issues and actions in one body;
`"submit": true` submits it in the same call, and then either everything is stored and
locked or nothing is (a 400 names each missing field). Drafts can be PATCHed, submitted
(`POST .../submit`) and, once submitted, corrected through a new revision
(`POST .../revise` with a reason).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from bcp_portal.actions.models import Action
from bcp_portal.catalogue.models import Service
from bcp_portal.core import limits
from bcp_portal.core.api.idempotency import idempotent
from bcp_portal.core.api.permissions import RolePermissions
from bcp_portal.core.api.serializers import PortalModelSerializer
from drills import report_selectors
from drills.filters import DrillReportFilterSet
from drills.models import (
    Drill,
    DrillIssue,
    DrillReport,
    DrillType,
    RecoveryStep,
    Result,
    check_step_times,
)
from drills.report_selectors import API_LISTS
from drills.services import reports as services

User = get_user_model()


class StepSerializer(PortalModelSerializer):
    id = serializers.IntegerField(required=False)
    result = serializers.ChoiceField(choices=Result.choices, required=False, allow_blank=True)
    effective_duration_minutes = serializers.IntegerField(read_only=True)

    class Meta:
        model = RecoveryStep
        fields = [
            "id",
            "order",
            "description",
            "started_at",
            "ended_at",
            "duration_minutes",
            "effective_duration_minutes",
            "result",
            "notes",
        ]
        read_only_fields = ["order"]

    def validate(self, attrs):
        try:
            check_step_times(attrs.get("started_at"), attrs.get("ended_at"))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs


class IssueSerializer(PortalModelSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = DrillIssue
        fields = ["id", "description", "severity"]


class ReportActionSerializer(PortalModelSerializer):
    id = serializers.IntegerField(required=False)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )

    class Meta:
        model = Action
        fields = ["id", "title", "owner", "due_date", "priority", "status"]
        read_only_fields = ["status"]


class DrillReportSerializer(PortalModelSerializer):
    drill = serializers.PrimaryKeyRelatedField(queryset=Drill.objects.all(), required=False)
    drill_type = serializers.SlugRelatedField(
        slug_field="key",
        queryset=DrillType.objects.all(),
        required=False,
        write_only=True,
        help_text="For a drill that was not on the calendar: its type key, with drill_date.",
    )
    # The related lists are read from (and validated into) the plain lists that
    # `report_selectors.report_api_queryset` prefetches (API_LISTS); `_report_data` maps
    # them back to the service's names. Errors still name the fields as the API does.
    services = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.all(), many=True, required=False, source=API_LISTS["services"]
    )
    participants = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        many=True,
        required=False,
        source=API_LISTS["participants"],
    )
    overall_result = serializers.ChoiceField(
        choices=Result.choices, required=False, allow_blank=True
    )
    steps = StepSerializer(many=True, required=False, source=API_LISTS["steps"])
    issues = IssueSerializer(many=True, required=False, source=API_LISTS["issues"])
    actions = ReportActionSerializer(many=True, required=False, source=API_LISTS["actions"])
    submit = serializers.BooleanField(required=False, default=False, write_only=True)
    document_id = serializers.CharField(read_only=True)
    rto_verdict = serializers.CharField(read_only=True)
    rpo_verdict = serializers.CharField(read_only=True)

    class Meta:
        model = DrillReport
        fields = [
            "id",
            "document_id",
            "drill",
            "drill_type",
            "status",
            "revision",
            "revision_reason",
            "drill_date",
            "scenario",
            "services",
            "participants",
            "other_participants",
            "planned_duration_minutes",
            "actual_duration_minutes",
            "rto_target_minutes",
            "rpo_target_minutes",
            "rto_actual_minutes",
            "rpo_actual_minutes",
            "rto_verdict",
            "rpo_verdict",
            "overall_result",
            "summary",
            "steps",
            "issues",
            "actions",
            "submitted_at",
            "submitted_by",
            "created_by",
            "submit",
        ]
        max_rows = limits.report_section_limits()
        read_only_fields = [
            "status",
            "revision",
            "revision_reason",
            "rto_target_minutes",
            "rpo_target_minutes",
            "submitted_at",
            "submitted_by",
            "created_by",
        ]

    def validate(self, attrs):
        if self.instance is None and not attrs.get("drill"):
            missing = {}
            if not attrs.get("drill_type"):
                missing["drill_type"] = (
                    "Give the drill id, or a drill_type key for an unplanned drill."
                )
            if not attrs.get("drill_date"):
                missing["drill_date"] = "An unplanned drill needs its drill_date."
            if missing:
                raise serializers.ValidationError(missing)
        if self.instance is not None and "drill" in attrs and attrs["drill"] != self.instance.drill:
            raise serializers.ValidationError({"drill": "A report cannot move to another drill."})
        return attrs


def _report_data(validated: dict) -> services.ReportData:
    fields = {name: validated[name] for name in services.REPORT_FIELDS if name in validated}
    lists = {name: validated.get(source) for name, source in API_LISTS.items()}
    return services.ReportData(fields=fields, **lists)


class ReviseSerializer(serializers.Serializer):
    reason = serializers.CharField()


class MayEditReport(permissions.BasePermission):
    """Changes to a report: its author, the drill's participants, the SRE Lead
    (`services.report_may_edit`), checked before the body is read."""

    message = services.REPORT_EDITORS_ONLY

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in permissions.SAFE_METHODS or services.report_may_edit(
            request.user, obj
        )


class DrillReportViewSet(viewsets.ModelViewSet):
    """Drill reports with their steps, issues and improvement actions."""

    serializer_class = DrillReportSerializer
    permission_classes = [RolePermissions, MayEditReport]
    queryset = DrillReport.objects.none()
    ordering = "-id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    # The list page's filters, validated: a malformed value answers 400 naming the parameter.
    filter_backends = [DjangoFilterBackend]
    filterset_class = DrillReportFilterSet

    def get_queryset(self):
        return report_selectors.report_api_queryset()

    def _respond(self, report: DrillReport, http_status=status.HTTP_200_OK) -> Response:
        report = report_selectors.report_api_queryset().get(pk=report.pk)
        return Response(self.get_serializer(report).data, status=http_status)

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        drill = data.get("drill") or services.UnplannedDrill(
            drill_type=data["drill_type"], date=data["drill_date"]
        )
        report = services.drill_report_file(
            actor=request.user,
            drill=drill,
            data=_report_data(data),
            submit=data.get("submit", False),
        )
        return self._respond(report, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()
        serializer = self.get_serializer(report, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = services.drill_report_file(
            actor=request.user,
            report=report,
            data=_report_data(data),
            submit=bool(data.get("submit")),
        )
        return self._respond(report)

    @extend_schema(request=None, responses=DrillReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = services.drill_report_file(
            actor=request.user, report=self.get_object(), submit=True
        )
        return self._respond(report)

    @extend_schema(request=ReviseSerializer, responses=DrillReportSerializer)
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        serializer = ReviseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.drill_report_revise(
            actor=request.user, report=self.get_object(), reason=serializer.validated_data["reason"]
        )
        return self._respond(report)
