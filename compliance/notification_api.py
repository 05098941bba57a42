"""The notification clocks' API under /api/v1/: facts, obligations, submissions.

- `incidents/{id}/facts`: the incident's dated facts and assessments (list); POST records
  one (`fact_record`: a fact of the same kind and region is changed, its old value kept in
  the history); PATCH `incidents/{id}/facts/{fact}` changes one (kind and region stay).
- `obligations`: every incident's clocks (list with `ObligationFilterSet`: status, regime,
  incident, entity, overdue, provisional, due_from/due_to, search; retrieve); POST adds one
  by hand (`obligation_add`, the DPO); `POST obligations/{id}/waive` waives one with a reason.
- `submissions`: notifications made (list by obligation or incident, retrieve); POST records
  one (`submission_record`) as JSON, or as multipart/form-data with the `attachment` file
  (at most `limits.SUBMISSION_ATTACHMENT_MAX_BYTES`, the types of
  `limits.SUBMISSION_ATTACHMENT_TYPES`); `GET submissions/{id}/attachment` gives the file.

Reads need the model's view permission and, for anything about an incident, permission to
view incidents; writes call the services the pages call, which check who may.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from bcp_portal.catalogue.models import CompetentAuthority
from bcp_portal.core import limits
from bcp_portal.core.api.idempotency import idempotent
from bcp_portal.core.api.parsers import JSONParser
from bcp_portal.core.api.permissions import RolePermissions
from bcp_portal.core.api.serializers import PortalModelSerializer, strict_json_class
from bcp_portal.core.filters import IdFilter, PortalFilterSet, pk_max
from bcp_portal.core.people import display_name
from compliance import notification_selectors as selectors
from compliance import notifications
from compliance.models_notifications import (
    MAX_CONTENT_CHARS,
    MAX_EVIDENCE_CHARS,
    MAX_REASON_CHARS,
    IncidentFact,
    Obligation,
    Submission,
)
from compliance.notification_filters import ObligationFilterSet
from incidents.models import Incident
from incidents.selectors import may_view


def _strict(serializer: serializers.Serializer) -> None:
    for field in serializer.fields.values():
        strict = strict_json_class(type(field))
        if strict is not None and not field.read_only:
            field.__class__ = strict


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_REASON_CHARS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _strict(self)


def _valid(input_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    body = input_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _visible_incidents(user: Any) -> QuerySet[Incident]:
    return Incident.objects.all() if may_view(user) else Incident.objects.none()


# --- facts ----------------------------------------------------------------------------------


class FactSerializer(PortalModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    recorded_by = serializers.IntegerField(source="recorded_by_id", read_only=True)
    recorded_by_name = serializers.SerializerMethodField()
    time_zone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="The IANA zone the time was stated in; default: yours.",
    )
    evidence = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_EVIDENCE_CHARS, default=""
    )
    reason = serializers.CharField(max_length=MAX_REASON_CHARS)

    class Meta:
        model = IncidentFact
        fields = [
            "id",
            "incident",
            "kind",
            "occurred_at",
            "time_zone",
            "value",
            "region",
            "count",
            "reason",
            "evidence",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = ["id", "incident", "recorded_by", "recorded_by_name", "recorded_at"]
        # One current fact per incident, kind and region: the service changes it in place.
        validators: list[Any] = []

    def get_recorded_by_name(self, fact: IncidentFact) -> str:
        return display_name(fact.recorded_by)


class FactUpdateSerializer(FactSerializer):
    class Meta(FactSerializer.Meta):
        read_only_fields = [*FactSerializer.Meta.read_only_fields, "kind", "region"]


class FactViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """An incident's dated facts and assessments: what its clocks run from."""

    serializer_class = FactSerializer
    permission_classes = [RolePermissions]
    queryset = IncidentFact.objects.none()
    ordering = "pk"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _incident(self) -> Incident:
        return get_object_or_404(
            _visible_incidents(self.request.user).only("pk"), pk=self.kwargs["incident_pk"]
        )

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return FactUpdateSerializer if self.action == "partial_update" else FactSerializer

    def get_queryset(self) -> QuerySet[IncidentFact]:
        if not self.request.user.has_perm("compliance.view_incidentfact"):
            return IncidentFact.objects.none()  # refused by the permission check first
        return selectors.facts_of(self._incident().pk).order_by("pk")

    def _record(self, incident: Incident, data: dict[str, Any]) -> IncidentFact:
        return notifications.fact_record(
            actor=self.request.user,
            incident=incident,
            kind=data["kind"],
            occurred_at=data.get("occurred_at"),
            time_zone=data.get("time_zone", ""),
            value=data.get("value", ""),
            region=data.get("region", ""),
            count=data.get("count"),
            reason=data["reason"],
            evidence=data.get("evidence", ""),
        )

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = self._incident()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fact = self._record(incident, dict(serializer.validated_data))
        return Response(FactSerializer(fact).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        fact = self.get_object()
        serializer = self.get_serializer(fact, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {
            name: getattr(fact, name)
            for name in (
                "kind",
                "occurred_at",
                "time_zone",
                "value",
                "region",
                "count",
                "reason",
                "evidence",
            )
        }
        data.update(serializer.validated_data)
        fact = self._record(fact.incident, data)
        return Response(FactSerializer(fact).data)


# --- obligations ----------------------------------------------------------------------------


class ObligationSerializer(PortalModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    incident_reference = serializers.CharField(source="incident.reference", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Obligation
        fields = [
            "id",
            "incident",
            "incident_reference",
            "regime_key",
            "stage_key",
            "regime_name",
            "stage_name",
            "notify",
            "entity",
            "status",
            "manual",
            "required",
            "reason",
            "counting",
            "period",
            "anchor",
            "anchor_at",
            "provisional",
            "due_at",
            "due_date",
            "local_zone",
            "alt_due_at",
            "alt_basis",
            "relief",
            "rule",
            "basis",
            "verified",
            "waiting_for",
            "status_reason",
            "submitted_at",
            "overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obligation: Obligation) -> bool:
        return (
            obligation.status == Obligation.Status.OPEN
            and obligation.due_at is not None
            and obligation.due_at < timezone.now()
        )


class ObligationAddInput(serializers.Serializer):
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.only("pk"))
    regime_name = serializers.CharField(max_length=300, help_text="The law, rule or contract.")
    stage_name = serializers.CharField(max_length=300, help_text="The notification owed.")
    notify = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=MAX_REASON_CHARS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _strict(self)


class ObligationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Every incident's notification obligations, as the engine last computed them."""

    serializer_class = ObligationSerializer
    permission_classes = [RolePermissions]
    queryset = Obligation.objects.none()
    ordering = "pk"
    http_method_names = ["get", "post", "head", "options"]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ObligationFilterSet

    def get_queryset(self) -> QuerySet[Obligation]:
        if not may_view(self.request.user):
            return Obligation.objects.none()
        return selectors.obligation_list()

    @extend_schema(request=ObligationAddInput, responses={201: ObligationSerializer})
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(ObligationAddInput, request)
        if not may_view(request.user):
            return Response(status=status.HTTP_404_NOT_FOUND)
        obligation = notifications.obligation_add(actor=request.user, **data)
        return Response(self._fresh(obligation), status=status.HTTP_201_CREATED)

    def _fresh(self, obligation: Obligation) -> dict[str, Any]:
        row = selectors.obligation_list().get(pk=obligation.pk)
        return dict(ObligationSerializer(row).data)

    @extend_schema(request=ReasonInput, responses=ObligationSerializer)
    @action(detail=True, methods=["post"])
    def waive(self, request: Request, pk: str | None = None) -> Response:
        obligation = self.get_object()
        data = _valid(ReasonInput, request)
        notifications.obligation_waive(
            actor=request.user, obligation=obligation, reason=data["reason"]
        )
        return Response(self._fresh(obligation))


# --- submissions ----------------------------------------------------------------------------


class SubmissionFilterSet(PortalFilterSet):
    obligation = IdFilter(max_id=pk_max(Obligation), help_text="An obligation's id.")
    incident = IdFilter(max_id=pk_max(Incident), help_text="An incident's id.")

    def apply(self, queryset: QuerySet[Submission], values: dict[str, Any]) -> QuerySet[Submission]:
        if values["obligation"]:
            queryset = queryset.filter(obligation_id=values["obligation"])
        if values["incident"]:
            queryset = queryset.filter(obligation__incident_id=values["incident"])
        return queryset


class SubmissionSerializer(PortalModelSerializer):
    obligation = serializers.PrimaryKeyRelatedField(
        queryset=Obligation.objects.only("pk"), help_text="The obligation's id."
    )
    authority = serializers.PrimaryKeyRelatedField(
        queryset=CompetentAuthority.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text="A competent authority's id (its name is the default recipient).",
    )
    recipient = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    content = serializers.CharField(
        max_length=MAX_CONTENT_CHARS, required=False, allow_blank=True, default=""
    )
    late_reason = serializers.CharField(
        max_length=MAX_REASON_CHARS,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when it was made after the due time (GDPR Art. 33(1)).",
    )
    attachment = serializers.FileField(
        write_only=True,
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            f"multipart/form-data only: at most {limits.SUBMISSION_ATTACHMENT_MAX_BYTES:,} "
            f"bytes; {', '.join(sorted(limits.SUBMISSION_ATTACHMENT_TYPES))}."
        ),
    )
    incident = serializers.IntegerField(source="obligation.incident_id", read_only=True)
    submitted_by = serializers.IntegerField(source="submitted_by_id", read_only=True)
    submitted_by_name = serializers.SerializerMethodField()
    has_attachment = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "obligation",
            "incident",
            "submitted_at",
            "submitted_by",
            "submitted_by_name",
            "authority",
            "recipient",
            "reference_number",
            "content",
            "late_reason",
            "attachment",
            "has_attachment",
            "attachment_name",
            "attachment_type",
            "attachment_sha256",
            "recorded_at",
        ]
        read_only_fields = [
            "id",
            "incident",
            "submitted_by",
            "submitted_by_name",
            "has_attachment",
            "attachment_name",
            "attachment_type",
            "attachment_sha256",
            "recorded_at",
        ]

    def get_submitted_by_name(self, submission: Submission) -> str:
        return display_name(submission.submitted_by)

    def get_has_attachment(self, submission: Submission) -> bool:
        return bool(submission.attachment_sha256)


class SubmissionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Notifications made for the obligations: who, when, to whom, what, and why late."""

    serializer_class = SubmissionSerializer
    permission_classes = [RolePermissions]
    queryset = Submission.objects.none()
    ordering = "pk"
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends = [DjangoFilterBackend]
    filterset_class = SubmissionFilterSet

    def get_queryset(self) -> QuerySet[Submission]:
        if not may_view(self.request.user):
            return Submission.objects.none()
        return selectors.submission_list()

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if not may_view(request.user):
            return Response(status=status.HTTP_404_NOT_FOUND)
        submission = notifications.submission_record(actor=request.user, **data)
        fresh = selectors.submission_list().get(pk=submission.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The attached file, as recorded."
            )
        },
    )
    @action(detail=True, methods=["get"])
    def attachment(self, request: Request, pk: str | None = None) -> HttpResponse:
        submission = self.get_object()
        row = Submission.objects.only(
            "attachment", "attachment_name", "attachment_type", "attachment_sha256"
        ).get(pk=submission.pk)
        if not row.attachment_sha256:
            raise exceptions.NotFound("This submission has no file.")
        response = HttpResponse(bytes(row.attachment), content_type=row.attachment_type)
        name = row.attachment_name.replace('"', "")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
