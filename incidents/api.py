from rest_framework import serializers, viewsets
from rest_framework.response import Response

from incidents import selectors, services
from incidents.models import Service


class ServiceSerializer(serializers.ModelSerializer):
    rto_target_minutes = serializers.IntegerField(required=False, min_value=0)
    rto_max_minutes = serializers.IntegerField(required=False, min_value=0)
    rpo_target_minutes = serializers.IntegerField(required=False, min_value=0)
    rpo_max_minutes = serializers.IntegerField(required=False, min_value=0)

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "kind",
            "description",
            "owner_team",
            "business_impact",
            "recovery_priority",
            "region",
            "data_category",
            "backup_frequency",
            "provided_service",
            "fallback",
            "expected_recovery_minutes",
            "rto_target_minutes",
            "rto_max_minutes",
            "rpo_target_minutes",
            "rpo_max_minutes",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class ServiceViewSet(viewsets.ModelViewSet):
    """The service catalogue: services, data stores and external providers."""

    serializer_class = ServiceSerializer
    queryset = Service.objects.none()
    ordering = "name"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        params = self.request.query_params
        return selectors.service_list(
            user=self.request.user,
            search=params.get("search", ""),
            kind=params.get("kind", ""),
            priority=params.get("priority", ""),
            include_inactive=params.get("include_inactive") == "true",
        )

    def perform_create(self, serializer):
        serializer.instance = services.service_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.service_update(
            actor=self.request.user, service=serializer.instance, **serializer.validated_data
        )

    def update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):  # pragma: no cover - not routed
        return Response(status=405)
