"""The notification clocks' API under /api/v1/: facts, obligations, submissions.

- `incidents/{id}/facts`: the incident's dated facts and assessments (list); POST records
  one (`fact_record`: a fact of the same kind and region is changed, its old value kept in
  the history); PATCH `incidents/{id}/facts/{fact}` changes one (its kind and region cannot
  change: a 400). An `occurred_at` without its offset is the wall clock of the fact's
  `time_zone` (PATCH: the one given, else the fact's; none: the reader's); a time those
  clocks skip or show twice is a 400 naming `occurred_at`: give the offset then.
- `obligations`: every incident's clocks (list with `ObligationFilterSet`: status, regime,
  incident, entity, overdue, provisional, due_from/due_to, search; retrieve); POST adds one
  by hand (`obligation_add`, the DPO); `POST obligations/{id}/waive` waives one with a reason.
- `submissions`: notifications made (list by obligation or incident, retrieve); POST records
  one (`submission_record`) as JSON, or as multipart/form-data with the `attachment` file
  (at most `limits.SUBMISSION_ATTACHMENT_MAX_BYTES`, the types of
  `limits.SUBMISSION_ATTACHMENT_TYPES`, its content matching its type);
  `GET submissions/{id}/attachment` gives the file. A `submitted_at` without its offset is
  read in the reader's zone, refused (400) when those clocks skip it or show it twice.

Facts and submissions refuse a field they do not have (a 400 naming it), never ignore it.

Reads need the model's view permission and, for anything about an incident, permission to
view incidents; writes call the services the pages call, which check who may.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
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
from bcp_portal.core import dates, limits
from bcp_portal.core.api.idempotency import idempotent
from bcp_portal.core.api.parsers import JSONParser
from bcp_portal.core.api.permissions import RolePermissions
from bcp_portal.core.api.serializers import PortalModelSerializer, StrictInput, validated_body
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


class ReasonInput(StrictInput):
    reason = serializers.CharField(max_length=MAX_REASON_CHARS)


def _visible_incidents(user: Any) -> QuerySet[Incident]:
    return Incident.objects.all() if may_view(user) else Incident.objects.none()


class WallClockDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time; one without its offset is kept naive, for the serializer
    to read in the zone that applies (`read_wall_clock`), never silently in the reader's."""

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        return value


def read_wall_clock(value: dt.datetime, zone_name: str, field: str) -> dt.datetime:
    """A naive `value` read in `zone_name` (an aware one as it is); else a 400 on `field`."""
    if timezone.is_aware(value):
        return value
    try:
        return dates.wall_clock(value, zone_name)
    except dates.WallClockError as exc:
        remedy = (
            "give the time with its UTC offset."
            if exc.skipped
            else "give the UTC offset of the one you mean (e.g. -04:00 or -05:00)."
        )
        raise serializers.ValidationError({field: [f"{exc}: {remedy}"]}) from None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise serializers.ValidationError(
            {"time_zone": ["Give an IANA zone such as Europe/Paris."]}
        ) from None


class RefusesUnknownFields:
    """A body naming a field the serializer does not have is a 400 naming it (not ignored)."""

    fields: Mapping[str, serializers.Field]

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(name) for name in data if name not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field: there is no such field here."] for name in unknown}
                )
        return super().to_internal_value(data)  # type: ignore[misc]  # mixed into a serializer


# --- facts ----------------------------------------------------------------------------------


OCCURRED_AT_HELP = (
    "When it happened (dated kinds only): ISO 8601 with its offset, or without it as the wall "
    "clock of `time_zone` (a time those clocks skip or show twice is refused: give the offset)."
)


class FactSerializer(RefusesUnknownFields, PortalModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    occurred_at = WallClockDateTimeField(
        required=False, allow_null=True, default=None, help_text=OCCURRED_AT_HELP
    )
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

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        at = attrs.get("occurred_at")
        if at is not None:
            stored = self.instance.time_zone if isinstance(self.instance, IncidentFact) else ""
            zone = attrs.get("time_zone") or stored or timezone.get_current_timezone_name()
            attrs["occurred_at"] = read_wall_clock(at, zone, "occurred_at")
        return attrs


class FactUpdateSerializer(FactSerializer):
    """A change: the kind and region name the fact, so they cannot change (a 400)."""

    occurred_at = WallClockDateTimeField(
        required=False, allow_null=True, help_text=OCCURRED_AT_HELP
    )

    class Meta(FactSerializer.Meta):
        read_only_fields = [*FactSerializer.Meta.read_only_fields, "kind", "region"]

    def to_internal_value(self, data: Any) -> Any:
        fact = self.instance
        if isinstance(data, Mapping) and isinstance(fact, IncidentFact):
            changed = {
                name: [f"The {name} of a fact cannot change: record a new fact instead."]
                for name in ("kind", "region")
                if name in data and data[name] != getattr(fact, name)
            }
            if changed:
                raise serializers.ValidationError(changed)
        return super().to_internal_value(data)


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
        return selectors.is_overdue(obligation, timezone.now())


class ObligationAddInput(StrictInput):
    one_line = ("regime_name", "stage_name", "notify")

    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.only("pk"))
    regime_name = serializers.CharField(max_length=300, help_text="The law, rule or contract.")
    stage_name = serializers.CharField(max_length=300, help_text="The notification owed.")
    notify = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=MAX_REASON_CHARS)


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
        data = validated_body(ObligationAddInput, request)
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
        data = validated_body(ReasonInput, request)
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


class SubmissionSerializer(RefusesUnknownFields, PortalModelSerializer):
    submitted_at = WallClockDateTimeField(
        help_text=(
            "When it was actually sent or filed: ISO 8601 with its offset, or without it in "
            "your time zone (a time your clocks skip or show twice is refused: give the "
            "offset). Not before the incident's detection, not in the future."
        )
    )
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

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        zone = timezone.get_current_timezone_name()
        attrs["submitted_at"] = read_wall_clock(attrs["submitted_at"], zone, "submitted_at")
        return attrs

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
        # RFC 6266: an ASCII fallback and filename*=UTF-8''... for any other name.
        response["Content-Disposition"] = notifications.attachment_disposition(row.attachment_name)
        return response
