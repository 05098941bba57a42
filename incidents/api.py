"""The incidents API: /api/v1/incidents, their timeline, and the incident types.

- `incidents`: list (the list page's filters, `search` for its `q`), retrieve, create
  (`incident_declare`, honouring `Idempotency-Key`), partial update of facts and times
  (`incident_update`), and one action per lifecycle move: `status` (forward, with an
  optional time and note), `severity` (with a reason) and `reopen` (with a reason).
- `incidents/{id}/timeline`: the incident's entries (list, oldest first) and a new entry.
- `incident-types`: read-only.

Writes call the same services as the pages, so a refusal is the same message, answered 400
naming the field.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from bcp_portal.catalogue.models import Service
from bcp_portal.core import limits
from bcp_portal.core.api.idempotency import idempotent
from bcp_portal.core.api.permissions import RolePermissions
from bcp_portal.core.api.serializers import PortalModelSerializer, StrictInput, validated_body
from bcp_portal.core.people import display_name
from bcp_portal.core.roles import role_holders
from incidents import selectors
from incidents.filters import IncidentFilterSet
from incidents.models import Incident, IncidentType, Severity, TimelineEntry
from incidents.services import lifecycle


class IncidentSerializer(PortalModelSerializer):
    incident_type = serializers.SlugRelatedField(
        slug_field="key",
        queryset=IncidentType.objects.filter(is_active=True),
        help_text="An incident type key (see /api/v1/incident-types).",
    )
    incident_type_name = serializers.CharField(source="incident_type.name", read_only=True)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=limits.INCIDENT_DESCRIPTION_MAX_CHARS
    )
    # Read from the lists the selector prefetches; `_service_arguments` hands them on.
    services = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Service.objects.all(),
        source=selectors.SERVICE_LIST,
        help_text="Service ids of the affected services.",
    )
    responders = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=role_holders(),
        source=selectors.RESPONDER_LIST,
        help_text="User ids (people holding a role).",
    )
    commander = serializers.PrimaryKeyRelatedField(
        queryset=role_holders(), required=False, allow_null=True
    )
    commander_name = serializers.SerializerMethodField()
    time_to_detect_minutes = serializers.SerializerMethodField()
    time_to_acknowledge_minutes = serializers.SerializerMethodField()
    rto_actual_minutes = serializers.IntegerField(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        max_rows = {
            "services": limits.INCIDENT_SERVICES_MAX,
            "responders": limits.INCIDENT_RESPONDERS_MAX,
        }
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "incident_type",
            "incident_type_name",
            "severity",
            "status",
            "business_impact",
            "services",
            "commander",
            "commander_name",
            "responders",
            "involves_personal_data",
            "involves_payment_data",
            "high_financial_impact",
            "affected_users",
            "lost_transactions",
            "revenue_impact",
            "started_at",
            "detected_at",
            "acknowledged_at",
            "response_started_at",
            "restored_at",
            "closed_at",
            "time_to_detect_minutes",
            "time_to_acknowledge_minutes",
            "rto_actual_minutes",
            "rpo_actual_minutes",
            "rpo_basis",
            "rpo_note",
            "reopen_count",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = [
            "id",
            "reference",
            "status",
            "reopen_count",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"detected_at": {"required": False}}

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            # An existing incident changes severity through its own action (with a reason).
            fields["severity"].read_only = True
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        initial = getattr(self, "initial_data", {})
        given = initial.get("severity") if isinstance(initial, dict) else None
        if self.instance is not None and given is not None and given != self.instance.severity:
            raise serializers.ValidationError(
                {"severity": "Change the severity with POST …/severity, giving a reason."}
            )
        return attrs

    def get_commander_name(self, incident: Incident) -> str:
        return display_name(incident.commander)

    def get_time_to_detect_minutes(self, incident: Incident) -> int | None:
        delta = incident.time_to_detect
        return None if delta is None else int(delta.total_seconds() // 60)

    def get_time_to_acknowledge_minutes(self, incident: Incident) -> int | None:
        delta = incident.time_to_acknowledge
        return None if delta is None else int(delta.total_seconds() // 60)

    def get_url(self, incident: Incident) -> str:
        return incident.get_absolute_url()


def _service_arguments(validated: dict[str, Any]) -> dict[str, Any]:
    """The serializer's data as the lifecycle services take it."""
    data = dict(validated)
    arguments: dict[str, Any] = {}
    if selectors.SERVICE_LIST in data:
        arguments["services"] = data.pop(selectors.SERVICE_LIST)
    if selectors.RESPONDER_LIST in data:
        arguments["responders"] = data.pop(selectors.RESPONDER_LIST)
    return {**arguments, **data}


class StatusInput(StrictInput):
    one_line = ("note",)
    status = serializers.ChoiceField(choices=Incident.Status.choices)
    at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When it happened; default now."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=limits.INCIDENT_NOTE_MAX_CHARS
    )


class SeverityInput(StrictInput):
    severity = serializers.ChoiceField(choices=Severity.choices)
    reason = serializers.CharField(max_length=limits.INCIDENT_NOTE_MAX_CHARS)


class ReopenInput(StrictInput):
    reason = serializers.CharField(max_length=limits.INCIDENT_NOTE_MAX_CHARS)


class IncidentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Incidents: declared, changed and moved through the lifecycle services."""

    serializer_class = IncidentSerializer
    permission_classes = [RolePermissions]
    queryset = Incident.objects.none()
    ordering = "-pk"
    http_method_names = ["get", "post", "patch", "head", "options"]

    # The list page's filters, validated: a malformed value answers 400 naming the parameter.
    filter_backends = [DjangoFilterBackend]
    filterset_class = IncidentFilterSet

    def get_queryset(self) -> Any:
        return selectors.incident_api_queryset(user=self.request.user)

    def _respond(self, incident: Incident, http_status: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=incident.pk)
        return Response(self.get_serializer(fresh).data, status=http_status)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = lifecycle.incident_declare(
            actor=request.user, **_service_arguments(serializer.validated_data)
        )
        return self._respond(incident, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = self.get_object()
        serializer = self.get_serializer(incident, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        lifecycle.incident_update(
            actor=request.user,
            incident=incident,
            **_service_arguments(serializer.validated_data),
        )
        return self._respond(incident)

    @extend_schema(request=StatusInput, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move the status forward (restored and closed stamp `at`, default now)."""
        incident = self.get_object()
        data = validated_body(StatusInput, request)
        lifecycle.incident_set_status(
            actor=request.user,
            incident=incident,
            status=data["status"],
            at=data.get("at"),
            note=data.get("note", ""),
        )
        return self._respond(incident)

    @extend_schema(request=SeverityInput, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def severity(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object()
        data = validated_body(SeverityInput, request)
        lifecycle.incident_set_severity(
            actor=request.user, incident=incident, severity=data["severity"], reason=data["reason"]
        )
        return self._respond(incident)

    @extend_schema(request=ReopenInput, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        incident = self.get_object()
        data = validated_body(ReopenInput, request)
        lifecycle.incident_reopen(actor=request.user, incident=incident, reason=data["reason"])
        return self._respond(incident)


class TimelineEntrySerializer(PortalModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="A user id; default: the caller. `owner_name` for someone who is not a user.",
    )
    owner_display = serializers.SerializerMethodField()
    at = serializers.DateTimeField(required=False, help_text="Default: now.")
    action_taken = serializers.CharField(
        required=False, allow_blank=True, max_length=limits.INCIDENT_NOTE_MAX_CHARS
    )

    class Meta:
        model = TimelineEntry
        fields = [
            "id",
            "at",
            "kind",
            "event",
            "action_taken",
            "owner",
            "owner_name",
            "owner_display",
            "created_at",
        ]
        read_only_fields = ["id", "kind", "created_at"]

    def get_owner_display(self, entry: TimelineEntry) -> str:
        return display_name(entry.owner, entry.owner_name)


class TimelineEntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """An incident's timeline, in the order entries were added (`at` tells when)."""

    serializer_class = TimelineEntrySerializer
    permission_classes = [RolePermissions]
    queryset = TimelineEntry.objects.none()
    ordering = "pk"
    http_method_names = ["get", "post", "head", "options"]

    def _incident(self) -> Incident:
        visible = Incident.objects.only("pk")
        if not selectors.may_view(self.request.user):
            visible = visible.none()
        return get_object_or_404(visible, pk=self.kwargs["incident_pk"])

    def get_queryset(self) -> Any:
        if not self.request.user.has_perm("incidents.view_timelineentry"):
            # Refused by the permission check (403), before the incident is looked up.
            return TimelineEntry.objects.none()
        return selectors.timeline_entries(user=self.request.user, incident=self._incident())

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = self._incident()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        owner = data.get("owner")
        entry = lifecycle.timeline_add(
            actor=request.user,
            incident=incident,
            event=data["event"],
            at=data.get("at"),
            action_taken=data.get("action_taken", ""),
            owner=owner if owner or data.get("owner_name") else request.user,
            owner_name=data.get("owner_name", ""),
        )
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)


class IncidentTypeSerializer(PortalModelSerializer):
    class Meta:
        model = IncidentType
        fields = [
            "id",
            "key",
            "name",
            "description",
            "expected_rto_minutes",
            "runbook_section",
            "runbook_heading",
            "is_partial_degradation",
            "is_active",
        ]
        read_only_fields = fields


class IncidentTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """The runbook's scenarios; `expected_rto_minutes` null: the organisation's target."""

    serializer_class = IncidentTypeSerializer
    permission_classes = [RolePermissions]
    queryset = IncidentType.objects.none()
    ordering = "pk"

    def get_queryset(self) -> Any:
        return selectors.incident_types(user=self.request.user)
