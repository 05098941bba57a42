"""Post-mortems and communication drafts over the API.

/api/v1/postmortems: list (status, search), retrieve, create (`incident` id: a restored or
closed incident), PATCH a draft's sections, lessons and action items (lists replace: a row
with an `id` is kept and updated, one without is added, a missing one removed); actions
`submit`, `publish`, `revise` (with a reason) and `signoffs` (the SRE Lead's review, through
the one signing service: password and a fresh code in the body, never a token alone).
/api/v1/communication-drafts: list (by `incident`), retrieve, create from a template,
PATCH subject/body, and `used`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from bcp_portal.actions.models import Action
from bcp_portal.core import filters as core_filters
from bcp_portal.core.api.idempotency import idempotent
from bcp_portal.core.api.permissions import RolePermissions
from bcp_portal.core.api.serializers import PortalModelSerializer, strict_json_class
from bcp_portal.core.models import SignOff
from bcp_portal.core.people import display_name
from bcp_portal.core.roles import SRE_LEAD, has_role
from bcp_portal.core.signing import MAX_COMMENT_CHARS
from bcp_portal.core.text import single_line
from incidents import postmortem_selectors as selectors
from incidents.models import Incident
from incidents.models_postmortems import (
    MAX_REASON_CHARS,
    POSTMORTEM_ACTIONS_MAX,
    POSTMORTEM_LESSONS_MAX,
    CommunicationDraft,
    PostMortem,
    PostMortemLesson,
)
from incidents.postmortem_filters import PostMortemFilterSet
from incidents.services import communications as comm_services
from incidents.services import postmortems as services

User = get_user_model()


class _Strict(serializers.Serializer):
    """Values of the JSON type the schema states; `one_line` fields refuse a line break."""

    one_line: tuple[str, ...] = ()

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = super().get_fields()
        for name, field in fields.items():
            if field.read_only:
                continue
            strict = strict_json_class(type(field))
            if strict is not None:
                field.__class__ = strict
            if name in self.one_line:
                field.validators.append(single_line)
        return fields


class LessonSerializer(PortalModelSerializer):
    id = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = PostMortemLesson
        fields = ["id", "category", "text"]


class ActionItemSerializer(PortalModelSerializer):
    id = serializers.IntegerField(required=False, min_value=1)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )

    class Meta:
        model = Action
        fields = ["id", "title", "owner", "due_date", "priority", "status"]
        read_only_fields = ["status"]


class PostMortemSerializer(PortalModelSerializer):
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all())
    incident_reference = serializers.CharField(source="incident.reference", read_only=True)
    document_id = serializers.CharField(read_only=True)
    lessons = LessonSerializer(many=True, required=False)
    actions = ActionItemSerializer(many=True, required=False, source="action_rows")
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = PostMortem
        fields = [
            "id",
            "document_id",
            "incident",
            "incident_reference",
            "title",
            "status",
            "revision",
            "revision_reason",
            *[name for name in services.FIELDS if name != "title"],
            "lessons",
            "actions",
            "author",
            "author_name",
            "submitted_at",
            "published_at",
            "created_at",
        ]
        read_only_fields = [
            "status",
            "revision",
            "revision_reason",
            "author",
            "submitted_at",
            "published_at",
            "created_at",
        ]
        max_rows = {"lessons": POSTMORTEM_LESSONS_MAX, "actions": POSTMORTEM_ACTIONS_MAX}
        extra_kwargs = {"title": {"required": False}}

    def get_author_name(self, postmortem: PostMortem) -> str:
        return display_name(postmortem.author) if postmortem.author else ""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        moved = "incident" in attrs and attrs["incident"] != getattr(
            self.instance, "incident", None
        )
        if self.instance is not None and moved:
            raise serializers.ValidationError(
                {"incident": "A post-mortem stays with its incident."}
            )
        return attrs


class PostMortemListSerializer(PortalModelSerializer):
    incident_reference = serializers.CharField(source="incident.reference", read_only=True)

    class Meta:
        model = PostMortem
        fields = ["id", "incident", "incident_reference", "title", "status", "revision"]
        read_only_fields = fields


def _data(validated: dict[str, Any]) -> services.PostMortemData:
    return services.PostMortemData(
        fields={name: validated[name] for name in services.FIELDS if name in validated},
        lessons=validated.get("lessons"),
        actions=validated.get("action_rows"),
    )


class ReviseInput(_Strict):
    reason = serializers.CharField(max_length=MAX_REASON_CHARS)


class SignInput(_Strict):
    """The SRE Lead's review: the decision, the hash shown, password and a fresh code."""

    one_line = ("shown_hash",)
    # A plain string checked below, not an enum: the runbook signing input has one of
    # the same name, and the schema would have two enums named alike.
    decision = serializers.CharField(
        max_length=16, help_text="“approve” or “reject” (a rejection needs a comment)."
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_COMMENT_CHARS, default=""
    )
    shown_hash = serializers.CharField(
        max_length=64, help_text="The SHA-256 the page or an earlier GET of `review` showed."
    )
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, max_length=4096, help_text="Your password."
    )
    otp_code = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=64, default=""
    )

    def validate_decision(self, value: str) -> str:
        if value not in (SignOff.Decision.APPROVE, SignOff.Decision.REJECT):
            raise serializers.ValidationError("Give “approve” or “reject”.")
        return value


class SignOffOutput(serializers.ModelSerializer):
    decision = serializers.CharField(read_only=True, help_text="approve or reject.")

    class Meta:
        model = SignOff
        fields = ["id", "role", "decision", "comment", "content_sha256", "signed_at", "signer"]
        read_only_fields = fields


class MayEditPostMortem(permissions.BasePermission):
    message = services.EDITORS_ONLY

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if request.method in permissions.SAFE_METHODS or getattr(view, "action", "") == "signoffs":
            return True
        return services.postmortem_may_edit(request.user, obj)


def _valid(request: Request, input_class: type[serializers.Serializer]) -> dict[str, Any]:
    body = input_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class PostMortemViewSet(viewsets.ModelViewSet):
    """Post-mortems of incidents, their lessons and action items, and their review."""

    serializer_class = PostMortemSerializer
    permission_classes = [RolePermissions, MayEditPostMortem]
    queryset = PostMortem.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends = [DjangoFilterBackend]
    filterset_class = PostMortemFilterSet

    def get_queryset(self) -> QuerySet[PostMortem]:
        if self.action == "list":
            return selectors.postmortem_list(user=self.request.user)
        return selectors.postmortem_detail_queryset().order_by("-pk")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return PostMortemListSerializer if self.action == "list" else PostMortemSerializer

    def _respond(self, postmortem: PostMortem, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.postmortem_detail_queryset().get(pk=postmortem.pk)
        return Response(PostMortemSerializer(fresh).data, status=code)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PostMortemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        postmortem = services.postmortem_start(
            actor=request.user, incident=data["incident"], title=data.get("title", "")
        )
        fields = _data(data)
        fields.fields.pop("title", None)
        if fields.fields or fields.lessons is not None or fields.actions is not None:
            services.postmortem_save(actor=request.user, postmortem=postmortem, data=fields)
        return self._respond(postmortem, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        postmortem = self.get_object()
        serializer = PostMortemSerializer(postmortem, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.postmortem_save(
            actor=request.user, postmortem=postmortem, data=_data(serializer.validated_data)
        )
        return self._respond(postmortem)

    @extend_schema(request=None, responses=PostMortemSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        postmortem = services.postmortem_submit(actor=request.user, postmortem=self.get_object())
        return self._respond(postmortem)

    @extend_schema(request=None, responses=PostMortemSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        postmortem = services.postmortem_publish(actor=request.user, postmortem=self.get_object())
        return self._respond(postmortem)

    @extend_schema(request=ReviseInput, responses=PostMortemSerializer)
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str | None = None) -> Response:
        postmortem = self.get_object()
        body = _valid(request, ReviseInput)
        return self._respond(
            services.postmortem_revise(actor=request.user, postmortem=postmortem, **body)
        )

    @extend_schema(request=SignInput, responses={201: SignOffOutput})
    @action(detail=True, methods=["post"])
    def signoffs(self, request: Request, pk: str | None = None) -> Response:
        postmortem = self.get_object()
        if not has_role(request.user, SRE_LEAD):
            raise PermissionDenied("Only the SRE Lead signs a post-mortem's review.")
        body = _valid(request, SignInput)
        signoff = services.postmortem_sign(
            actor=request.user,
            postmortem=postmortem,
            role=SRE_LEAD,
            decision=body["decision"],
            comment=body["comment"],
            shown_hash=body["shown_hash"],
            password=body["password"],
            code=body["otp_code"],
        )
        return Response(SignOffOutput(signoff).data, status=status.HTTP_201_CREATED)


class CommunicationDraftFilterSet(core_filters.PortalFilterSet):
    incident = core_filters.IdFilter(
        max_id=core_filters.pk_max(Incident), help_text="An incident id."
    )

    def apply(
        self, queryset: QuerySet[CommunicationDraft], values: dict[str, Any]
    ) -> QuerySet[CommunicationDraft]:
        if values["incident"] is not None:
            queryset = queryset.filter(incident_id=values["incident"])
        return queryset


class CommunicationDraftSerializer(PortalModelSerializer):
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all())
    kind = serializers.ChoiceField(choices=CommunicationDraft.Kind.choices)

    class Meta:
        model = CommunicationDraft
        fields = [
            "id",
            "incident",
            "kind",
            "subject",
            "body",
            "created_by",
            "created_at",
            "used_at",
            "used_by",
        ]
        read_only_fields = ["created_by", "created_at", "used_at", "used_by"]
        extra_kwargs = {"subject": {"required": False}, "body": {"required": False}}


class CommunicationDraftViewSet(viewsets.ModelViewSet):
    """Status-page updates and customer emails drafted from the templates; never sent here."""

    serializer_class = CommunicationDraftSerializer
    permission_classes = [RolePermissions]
    queryset = CommunicationDraft.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends = [DjangoFilterBackend]
    filterset_class = CommunicationDraftFilterSet

    def get_queryset(self) -> QuerySet[CommunicationDraft]:
        return CommunicationDraft.objects.order_by("-created_at", "-pk")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        draft = comm_services.communication_draft_create(
            actor=request.user, incident=data["incident"], kind=data["kind"]
        )
        return Response(self.get_serializer(draft).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        draft = self.get_object()
        serializer = self.get_serializer(draft, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if ("kind" in data and data["kind"] != draft.kind) or (
            "incident" in data and data["incident"] != draft.incident
        ):
            raise serializers.ValidationError({"kind": "A draft keeps its kind and incident."})
        draft = comm_services.communication_draft_update(
            actor=request.user,
            draft=draft,
            subject=data.get("subject", draft.subject),
            body=data.get("body", draft.body),
        )
        return Response(self.get_serializer(draft).data)

    @extend_schema(request=None, responses=CommunicationDraftSerializer)
    @action(detail=True, methods=["post"])
    def used(self, request: Request, pk: str | None = None) -> Response:
        draft = comm_services.communication_draft_mark_used(
            actor=request.user, draft=self.get_object()
        )
        return Response(self.get_serializer(draft).data)
