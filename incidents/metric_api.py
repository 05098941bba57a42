"""GET /api/v1/incidents/metrics: the DR metrics page's figures as JSON.

The same filters as the page (`MetricsFilterSet`: `start`, `end`, `year`, `service`,
`severity`); a malformed one answers 400 naming the parameter. Readable by whoever may see
incidents (`incidents.view_incident`), as the page.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_filters import utils as filter_utils
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from bcp_portal.catalogue.selectors import organisation_profile
from bcp_portal.core.api.schema import PortalAutoSchema
from bcp_portal.core.people import zone_named
from incidents import metrics
from incidents.metric_filters import MetricsFilterSet
from incidents.models import Incident


def _minutes(help_text: str) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text=help_text)


def _percent(help_text: str) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, min_value=0, max_value=100, help_text=help_text)


class FiguresSerializer(serializers.Serializer):
    incidents = serializers.IntegerField()
    restored = serializers.IntegerField()
    not_restored = serializers.IntegerField(help_text="Never counted as restored.")
    rto_average_minutes = _minutes("Average actual RTO of the restored incidents.")
    rpo_average_minutes = _minutes("Average actual RPO where known (unknown is left out).")
    rpo_known = serializers.IntegerField()
    users_affected = serializers.IntegerField(
        allow_null=True, help_text="Sum where known; null when no incident gave a number."
    )
    detect_average_minutes = _minutes("Detected minus onset, where the onset is known.")
    recover_average_minutes = _minutes("Restored minus detected, over restored incidents.")
    rto_within_target = serializers.IntegerField()
    rto_within_max = serializers.IntegerField()
    rto_target_percent = _percent("Share of restored incidents within the RTO target.")
    rto_max_percent = _percent("Share of restored incidents within the maximum tolerable RTO.")
    rpo_within_target = serializers.IntegerField()
    rpo_within_max = serializers.IntegerField()
    rpo_target_percent = _percent("Share of incidents with a known RPO within the target.")
    rpo_max_percent = _percent("Share of incidents with a known RPO within the maximum.")


class MonthRowSerializer(FiguresSerializer):
    month = serializers.CharField(help_text="YYYY-MM, in the organisation's time zone.")
    severity = serializers.CharField(help_text="P0 to P3, or “all” for the month's total.")


class AvailabilitySerializer(serializers.Serializer):
    service = serializers.IntegerField(help_text="The catalogue service's id.")
    name = serializers.CharField()
    downtime_minutes = serializers.FloatField()
    outages = serializers.IntegerField(help_text="Overlapping outages count once.")
    percent = _percent("Null while the period has not begun.")
    verdict = serializers.ChoiceField(choices=["met", "below target", "below minimum", ""])


class PeriodSerializer(serializers.Serializer):
    start = serializers.CharField(help_text="The first month, YYYY-MM.")
    end = serializers.CharField(help_text="The last month, YYYY-MM (included).")
    time_zone = serializers.CharField(help_text="The organisation's zone the months are in.")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="The first instant after the period.")


class MetricsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    service = serializers.IntegerField(allow_null=True)
    severity = serializers.CharField(allow_blank=True)
    availability_target = serializers.FloatField()
    availability_min = serializers.FloatField()
    total = FiguresSerializer()
    months = MonthRowSerializer(
        many=True, help_text="Per month and severity, then the month's total (“all”)."
    )
    availability = AvailabilitySerializer(many=True)


def metrics_data(result: metrics.DrMetrics) -> dict[str, Any]:
    period = result.scope.period
    months: list[dict[str, Any]] = []
    for month in result.months:
        label = f"{month.month:%Y-%m}"
        for severity, figures in sorted(month.by_severity.items()):
            months.append({"month": label, "severity": severity, **figures.as_dict()})
        months.append({"month": label, "severity": "all", **month.figures.as_dict()})
    return {
        "period": {
            "start": f"{period.first:%Y-%m}",
            "end": f"{period.last:%Y-%m}",
            "time_zone": period.zone.key,
            "starts_at": period.starts_at,
            "ends_at": period.ends_at,
        },
        "service": result.scope.service_id,
        "severity": result.scope.severity,
        "availability_target": float(result.profile.availability_target),
        "availability_min": float(result.profile.availability_min),
        "total": result.total.as_dict(),
        "months": months,
        "availability": [
            {
                "service": a.service_id,
                "name": a.name,
                "downtime_minutes": a.downtime_minutes,
                "outages": a.outages,
                "percent": a.percent,
                "verdict": a.verdict,
            }
            for a in result.availability
        ],
    }


class MetricsSchema(PortalAutoSchema):
    """One object, not a list: the figures are the answer, whatever the action is named."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False

    def get_filter_backends(self) -> list[Any]:
        # Documented although the answer is one object (spectacular lists them for lists).
        return list(getattr(self.view, "filter_backends", []))


class IncidentMetricsViewSet(viewsets.GenericViewSet):
    """The DR metrics: the runbook's monthly view, attainment and availability."""

    # The role permissions read `incidents.view_incident` from this queryset's model.
    queryset = Incident.objects.none()
    serializer_class = MetricsSerializer
    # Named so the schema documents the parameters; `list` validates them itself.
    filter_backends = [DjangoFilterBackend]
    filterset_class = MetricsFilterSet
    pagination_class = None
    schema = MetricsSchema()

    @extend_schema(
        summary="DR metrics: monthly view, RTO/RPO attainment, availability per service",
        responses=MetricsSerializer,
    )
    def list(self, request: Request) -> Response:
        filterset = MetricsFilterSet(
            request.query_params, queryset=Incident.objects.none(), request=request
        )
        if not filterset.is_valid():
            raise filter_utils.translate_validation(filterset.errors)
        profile = organisation_profile()
        zone = zone_named(profile.time_zone)
        scope = filterset.scope(today=timezone.localdate(timezone=zone), zone=zone)
        result = metrics.dr_metrics(scope=scope, profile=profile)
        return Response(MetricsSerializer(metrics_data(result)).data)
