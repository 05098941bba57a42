from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers, viewsets

from bcp_portal.catalogue import selectors, services
from bcp_portal.catalogue.filters import ServiceFilterSet
from bcp_portal.catalogue.models import Service
from bcp_portal.catalogue.services import EDITABLE_FIELDS, OBJECTIVE_FIELDS
from bcp_portal.core.api import serializers as api_serializers


class ServiceSerializer(api_serializers.ModelSerializer):
    rto_target_minutes = serializers.IntegerField(required=False, min_value=0)
    rto_max_minutes = serializers.IntegerField(required=False, min_value=0)
    rpo_target_minutes = serializers.IntegerField(required=False, min_value=0)
    rpo_max_minutes = serializers.IntegerField(required=False, min_value=0)

    class Meta:
        model = Service
        fields = ["id", *EDITABLE_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def to_internal_value(self, data):
        """Field errors and objective errors together, so one response names every problem.

        DRF skips `validate()` once a field fails; a client sending no name and a target
        above its maximum would then learn of the second mistake only after fixing the first.
        Objectives left out on create take the organisation's defaults in `service_create`,
        which checks them again.
        """
        try:
            attrs = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors = dict(exc.detail)
            parsed = self._parsed_objectives(data, skip=errors)
            for name, messages in self._objective_errors(parsed).items():
                errors.setdefault(name, []).extend(messages)
            raise serializers.ValidationError(errors) from exc
        errors = self._objective_errors(attrs)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def _parsed_objectives(self, data, *, skip) -> dict:
        parsed = {}
        if not isinstance(data, Mapping):
            return parsed
        for name in OBJECTIVE_FIELDS:
            if name in data and name not in skip:
                parsed[name] = self.fields[name].run_validation(data[name])
        return parsed

    def _objective_errors(self, attrs) -> dict[str, list[str]]:
        """Service.clean() on the objectives as they would be after this write."""
        values = {name: getattr(self.instance, name, None) for name in OBJECTIVE_FIELDS}
        values.update({name: attrs[name] for name in OBJECTIVE_FIELDS if name in attrs})
        try:
            Service(**values).clean()
        except DjangoValidationError as exc:
            return {name: list(messages) for name, messages in exc.message_dict.items()}
        return {}


class ServiceViewSet(viewsets.ModelViewSet):
    """The service catalogue: services, data stores and external providers."""

    serializer_class = ServiceSerializer
    queryset = Service.objects.none()
    # Unique, so the cursor neither skips nor repeats a row between pages.
    ordering = "name"
    http_method_names = ["get", "post", "patch", "head", "options"]

    # The list page's filters, validated: a malformed value answers 400 naming the parameter.
    filter_backends = [DjangoFilterBackend]
    filterset_class = ServiceFilterSet

    def get_queryset(self):
        # Retired entries too: the filters keep them out unless `include_inactive` is given.
        return selectors.service_list(user=self.request.user, include_inactive=True)

    def perform_create(self, serializer):
        serializer.instance = services.service_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.service_update(
            actor=self.request.user, service=serializer.instance, **serializer.validated_data
        )
