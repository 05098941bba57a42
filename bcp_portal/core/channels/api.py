"""The inbox in the API: /api/v1/inbox, one's own messages (read-only; the inbox page marks
them read, and the Auditor changes nothing through the API)."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend  # type: ignore[import-untyped]
from rest_framework import mixins, permissions, serializers, viewsets

from bcp_portal.core.api.serializers import PortalModelSerializer
from bcp_portal.core.channels import selectors
from bcp_portal.core.channels.filters import InboxFilterSet
from bcp_portal.core.models import InboxItem


class InboxItemSerializer(PortalModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = InboxItem
        fields = ["id", "subject", "body", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields


class InboxViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your own in-app inbox, newest first; everyone signed in has one."""

    serializer_class = InboxItemSerializer
    queryset = InboxItem.objects.none()
    # Each person's own rows only, whatever their role: no model permission is needed.
    permission_classes = [permissions.IsAuthenticated]
    # Unique, so the cursor neither skips nor repeats a row (ids follow arrival).
    ordering = "-id"
    filter_backends = [DjangoFilterBackend]
    filterset_class = InboxFilterSet

    def get_queryset(self) -> QuerySet[InboxItem]:
        return selectors.inbox_list(user=self.request.user)
