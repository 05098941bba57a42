"""The runbook API: documents, versions, change requests and sign-offs under /api/v1/.

- `runbooks`: the documents (list with the DocumentFilterSet, retrieve), an import (POST:
  the Markdown as JSON text, `services.document_import`, 201 with the draft version),
  document control (PATCH, `services.document_update`), a periodic review
  (`POST runbooks/{id}/reviews`, signed) and a new change (`POST runbooks/{id}/changes`).
- `runbook-versions`: list (document, status), retrieve (content, its SHA-256, the sections
  and the `signing_hash` a signer posts back), the exact Markdown
  (`GET runbook-versions/{id}/markdown`, text/markdown), the whole content replaced (PATCH),
  one section replaced (`POST runbook-versions/{id}/sections/{key}`) and publishing
  (`POST runbook-versions/{id}/publish`).
- `runbook-changes`: list, retrieve, PATCH type and reason, `submit`, `withdraw`, and
  `signoffs` (approve or reject).
- `signoffs`: every signature, read-only, for auditors (filter by purpose and signer).

Writes call the services the pages call. Signing (`signoffs`, `reviews`) goes through the one
signing service, which re-authenticates inside `sign()`: a token is never enough, the body
must carry the signer's password and a fresh one-time code, and a failure is recorded
(REAUTH_FAILED) so the lockout applies. Neither is ever sent back. These two writes take no
Idempotency-Key: a replayed answer must not stand in for a signature, and the key's
transaction would roll the recorded failure back with the refusal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from bcp_portal.core import signing
from bcp_portal.core.api import idempotency
from bcp_portal.core.api.idempotency import idempotent
from bcp_portal.core.api.permissions import RolePermissions
from bcp_portal.core.api.serializers import PortalModelSerializer, strict_json_class
from bcp_portal.core.models import SignOff
from bcp_portal.core.people import display_name
from bcp_portal.core.reauth import CODE_FIELD
from bcp_portal.core.roles import user_roles
from bcp_portal.core.text import calendar_year, single_line
from compliance import markdown as runbook_markdown
from compliance import selectors, services
from compliance.filters import DocumentFilterSet, SignOffFilterSet, VersionListFilterSet
from compliance.markdown import MAX_RUNBOOK_BYTES
from compliance.models import (
    MAX_COMMENT_CHARS,
    MAX_REASON_CHARS,
    SIGNING_ROLES,
    ChangeRequest,
    ChangeType,
    Classification,
    RequiredApproval,
    ReviewCadence,
    RunbookDocument,
    RunbookVersion,
    validate_doc_id,
)

User = get_user_model()
SHA256_HELP = "The SHA-256 (64 hexadecimal characters) the page or an earlier GET showed."
SECTION_KEY = r"[A-Za-z0-9_-]{1,20}"
# Whether a role a change needs has approved its current content (the schema's enum).
REQUIRED_ROLE_STATUSES = [("approved", "Approved"), ("waiting", "Waiting")]


# --- input rules shared by the plain (non-model) serializers -------------------------------


class StrictSerializer(serializers.Serializer):
    """A body's values must have the JSON type the schema states (a string for text, not 5),
    as `PortalModelSerializer` has them; one-line fields refuse a line break."""

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


def _person(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": display_name(user)}


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


# --- sign-offs ----------------------------------------------------------------------------


class SignOffSerializer(PortalModelSerializer):
    signer = serializers.IntegerField(source="signer_id", read_only=True)
    signer_name = serializers.SerializerMethodField()
    decision = serializers.ChoiceField(choices=SignOff.Decision.choices, read_only=True)
    is_valid = serializers.BooleanField(read_only=True)

    class Meta:
        model = SignOff
        fields = [
            "id",
            "purpose",
            "subject_id",
            "subject_label",
            "role",
            "signer",
            "signer_name",
            "decision",
            "comment",
            "content_sha256",
            "canonical_version",
            "signed_at",
            "is_valid",
            "voided_at",
            "void_reason",
        ]
        read_only_fields = fields

    def get_signer_name(self, signoff: SignOff) -> str:
        return display_name(signoff.signer)


class SignOffViewSet(viewsets.ReadOnlyModelViewSet):
    """Every signature the portal's signing service recorded, voided ones included."""

    serializer_class = SignOffSerializer
    queryset = SignOff.objects.none()
    ordering = "-pk"
    filter_backends = [DjangoFilterBackend]
    filterset_class = SignOffFilterSet

    def get_queryset(self) -> QuerySet[SignOff]:
        return SignOff.objects.select_related("signer")


class SignInput(StrictSerializer):
    """What a signer sends: the role, the decision, the hash they were shown, and their
    password with a fresh one-time code (the signing service checks both)."""

    one_line = ("shown_hash",)
    role = serializers.ChoiceField(choices=[(r, r) for r in SIGNING_ROLES])
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_COMMENT_CHARS, default=""
    )
    shown_hash = serializers.CharField(max_length=64, help_text=SHA256_HELP)
    password = serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        max_length=4096,
        style={"input_type": "password"},
        help_text="Your password: signing re-authenticates every time. Never sent back.",
    )
    otp_code = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=64,
        default="",
        help_text="A fresh code from your authenticator app, or an unused backup code.",
    )


class ChangeSignInput(SignInput):
    decision = serializers.ChoiceField(
        choices=[(d, d) for d in (SignOff.Decision.APPROVE, SignOff.Decision.REJECT)],
        help_text="approve or reject (a rejection needs a comment).",
    )


class ReviewInput(SignInput):
    pass


def signature(request: Request, input_class: type[SignInput]) -> dict[str, Any]:
    """A signer's body, checked, under the names the signing services take (the one-time
    code as `code`). The password and code go to `signing.sign()`, never back out."""
    data = valid_body(request, input_class)
    data["code"] = data.pop(CODE_FIELD)
    return data


def signed(signoff: SignOff) -> Response:
    return Response(SignOffSerializer(signoff).data, status=status.HTTP_201_CREATED)


# --- permissions and the viewsets' shape --------------------------------------------------


class RunbookPermissions(RolePermissions):
    """Reads: the model's view permission. Writes: the permission each action names in the
    view's `write_perms` (the service then checks who exactly: the author, the roles)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        needed = getattr(view, "write_perms", {}).get(getattr(view, "action", None), ())
        return request.user.has_perms(needed)

    def get_required_permissions(self, method: str, model_cls: Any) -> list[str]:
        # Writes are checked against `write_perms`; the model's own map applies to reads.
        if method not in permissions.SAFE_METHODS:
            method = "GET"
        return super().get_required_permissions(method, model_cls)


class RunbookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What the runbook viewsets share: list and retrieve; writes are PATCH and POST
    actions that call the services, each allowed by the permission it names in
    `write_perms`; the list has its own (lighter) serializer, every other action answers
    with `serializer_class`."""

    permission_classes = [RunbookPermissions]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends = [DjangoFilterBackend]
    list_serializer_class: type[serializers.Serializer]
    write_perms: dict[str, list[str]] = {}

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return self.list_serializer_class if self.action == "list" else self.serializer_class

    def respond(self, obj: Any) -> Response:
        """`obj`'s detail as it stands now (a service has just written it), read afresh as
        the detail reads it."""
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)


def valid_body(request: Request, input_class: type[serializers.Serializer]) -> dict[str, Any]:
    """The request's body checked by `input_class`: its values, or a 400 naming each field."""
    body = input_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


# --- versions -----------------------------------------------------------------------------


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()
    level = serializers.IntegerField()


class VersionSerializer(PortalModelSerializer):
    document = serializers.IntegerField(source="document_id", read_only=True)
    doc_id = serializers.CharField(source="document.doc_id", read_only=True)
    change = serializers.SerializerMethodField()
    based_on = serializers.IntegerField(source="based_on_id", read_only=True, allow_null=True)
    created_by = serializers.IntegerField(source="created_by_id", read_only=True)
    published_by = serializers.IntegerField(
        source="published_by_id", read_only=True, allow_null=True
    )

    class Meta:
        model = RunbookVersion
        fields = [
            "id",
            "document",
            "doc_id",
            "label",
            "sequence",
            "status",
            "content_sha256",
            "based_on",
            "change",
            "created_by",
            "created_at",
            "published_at",
            "published_by",
            "superseded_at",
        ]
        read_only_fields = fields

    def get_change(self, version: RunbookVersion) -> int | None:
        change = getattr(version, "change", None)
        return change.pk if change is not None else None


class VersionDetailSerializer(VersionSerializer):
    content = serializers.CharField(read_only=True)
    sections = serializers.SerializerMethodField()
    signing_hash = serializers.SerializerMethodField(
        help_text="Post this back as `shown_hash` to sign the version's change."
    )

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "content", "sections", "signing_hash"]
        read_only_fields = fields

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, version: RunbookVersion) -> list[dict[str, Any]]:
        return [
            {"key": s.key, "number": s.number, "title": s.title, "level": s.level}
            for s in runbook_markdown.sections(version.content)
        ]

    def get_signing_hash(self, version: RunbookVersion) -> str:
        change = getattr(version, "change", None)
        return signing.subject_hash(change) if change is not None else ""


class ShownContentInput(StrictSerializer):
    """An edit of a version's content, checked against the content the editor was shown."""

    shown_sha256 = serializers.CharField(
        required=False, allow_blank=True, max_length=64, default="", help_text=SHA256_HELP
    )


class VersionContentInput(ShownContentInput):
    content = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_RUNBOOK_BYTES,
        help_text=f"The whole Markdown of the version, at most {MAX_RUNBOOK_BYTES:,} characters.",
    )


class SectionEditInput(ShownContentInput):
    text = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_RUNBOOK_BYTES,
        help_text="The section's new heading and body (its subsections are kept).",
    )


class MarkdownRenderer(renderers.BaseRenderer):
    """The version's exact Markdown; anything else (an error) as JSON text."""

    media_type = "text/markdown"
    format = "md"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None):
        if isinstance(data, str):
            return data.encode("utf-8")
        return renderers.JSONRenderer().render(data)


def version_detail(version: RunbookVersion, http_status: int = status.HTTP_200_OK) -> Response:
    """A version's detail, read afresh (a service has just written it)."""
    fresh = RunbookVersion.objects.select_related("document", "change").get(pk=version.pk)
    return Response(VersionDetailSerializer(fresh).data, status=http_status)


class RunbookVersionViewSet(RunbookViewSet):
    """Runbook versions: drafts, versions in review, approved, published and superseded."""

    queryset = RunbookVersion.objects.none()
    serializer_class = VersionDetailSerializer
    list_serializer_class = VersionSerializer
    ordering = "-pk"
    filterset_class = VersionListFilterSet
    write_perms = {
        "partial_update": [services.PERM_AUTHOR],
        "sections": [services.PERM_AUTHOR],
        "publish": [services.PERM_PUBLISH],
    }

    def get_queryset(self) -> QuerySet[RunbookVersion]:
        queryset = RunbookVersion.objects.select_related("document", "change")
        if self.action == "list":
            queryset = queryset.defer("content")
        return queryset

    @extend_schema(request=VersionContentInput, responses=VersionDetailSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        version = self.get_object()
        body = valid_body(request, VersionContentInput)
        return self.respond(
            services.version_content_replace(actor=request.user, version=version, **body)
        )

    @extend_schema(
        request=None,
        responses={
            (200, "text/markdown"): OpenApiResponse(
                OpenApiTypes.STR, description="Exactly the version's content."
            )
        },
    )
    @action(
        detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, MarkdownRenderer]
    )
    def markdown(self, request: Request, pk: str | None = None) -> HttpResponse:
        version = self.get_object()
        filename = f"{version.document.doc_id}-{version.label}.md"
        response = HttpResponse(version.content, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response

    @extend_schema(request=SectionEditInput, responses=VersionDetailSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=rf"sections/(?P<key>{SECTION_KEY})",
        url_name="sections",
    )
    def sections(self, request: Request, pk: str | None = None, key: str = "") -> Response:
        version = self.get_object()
        body = valid_body(request, SectionEditInput)
        return self.respond(
            services.version_section_edit(actor=request.user, version=version, key=key, **body)
        )

    @extend_schema(request=None, responses=VersionDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        return self.respond(services.version_publish(actor=request.user, version=self.get_object()))


# --- documents ----------------------------------------------------------------------------


class DocumentSerializer(PortalModelSerializer):
    owner_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    published_label = serializers.CharField(read_only=True, allow_null=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    open_version = serializers.IntegerField(source="open_id", read_only=True, allow_null=True)
    open_label = serializers.CharField(read_only=True, allow_null=True)
    open_status = serializers.ChoiceField(
        choices=RunbookVersion.Status.choices, read_only=True, allow_null=True
    )

    class Meta:
        model = RunbookDocument
        fields = [
            "id",
            "doc_id",
            "title",
            "owner",
            "owner_user",
            "classification",
            "review_cadence",
            "next_review",
            "last_reviewed_on",
            "published_label",
            "published_at",
            "open_version",
            "open_label",
            "open_status",
            "created_at",
        ]
        read_only_fields = ["id", "doc_id", "last_reviewed_on", "created_at"]


class DocumentDetailSerializer(DocumentSerializer):
    review_hash = serializers.SerializerMethodField(
        help_text="Post this back as `shown_hash` to record a review of the published version."
    )

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "review_hash"]

    def get_review_hash(self, document: RunbookDocument) -> str:
        return signing.subject_hash(document)


class ChangeOpenInput(StrictSerializer):
    change_type = serializers.ChoiceField(choices=ChangeType.choices)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_REASON_CHARS, default=""
    )


class ImportInput(ChangeOpenInput):
    one_line = ("doc_id", "title", "owner")
    markdown = serializers.CharField(
        trim_whitespace=False,
        max_length=MAX_RUNBOOK_BYTES,
        help_text=f"The runbook's Markdown, at most {MAX_RUNBOOK_BYTES:,} characters.",
    )
    doc_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        default="",
        validators=[validate_doc_id],
        help_text="A new id makes a new document; a known one opens a change of it. "
        "Empty: the file's “Document ID” line.",
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    owner = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    classification = serializers.ChoiceField(
        choices=Classification.choices, required=False, allow_blank=True, default=""
    )
    review_cadence = serializers.ChoiceField(
        choices=ReviewCadence.choices, required=False, allow_blank=True, default=""
    )
    next_review = serializers.DateField(
        required=False, allow_null=True, default=None, validators=[calendar_year]
    )


class RunbookDocumentViewSet(RunbookViewSet):
    """Runbooks under document control, with their published version and open change."""

    queryset = RunbookDocument.objects.none()
    serializer_class = DocumentDetailSerializer
    list_serializer_class = DocumentSerializer
    # Unique, so the cursor neither skips nor repeats a row; an id, so a cursor's position
    # is checked before it reaches the database.
    ordering = "pk"
    filterset_class = DocumentFilterSet
    write_perms = {
        "create": [services.PERM_AUTHOR],
        "partial_update": [services.PERM_DOCUMENT],
        "reviews": [services.PERM_REVIEW],
        "changes": [services.PERM_AUTHOR],
    }

    def get_queryset(self) -> QuerySet[RunbookDocument]:
        return selectors.document_list()

    @extend_schema(request=ImportInput, responses={201: VersionDetailSerializer})
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = valid_body(request, ImportInput)
        version = services.document_import(actor=request.user, text=data.pop("markdown"), **data)
        return version_detail(version, status.HTTP_201_CREATED)

    @extend_schema(request=DocumentSerializer, responses=DocumentDetailSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        document = self.get_object()
        body = DocumentSerializer(document, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.document_update(actor=request.user, document=document, **body.validated_data)
        return self.respond(document)

    @extend_schema(request=ReviewInput, responses={201: SignOffSerializer})
    @action(detail=True, methods=["post"])
    def reviews(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        return signed(
            services.review_record(
                actor=request.user, document=document, **signature(request, ReviewInput)
            )
        )

    # The header again here: `@action` hides what `@idempotent` adds to the schema.
    @extend_schema(
        request=ChangeOpenInput,
        responses={201: VersionDetailSerializer},
        parameters=[idempotency.PARAMETER],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def changes(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        body = valid_body(request, ChangeOpenInput)
        version = services.change_open(actor=request.user, document=document, **body)
        return version_detail(version, status.HTTP_201_CREATED)


# --- change requests ----------------------------------------------------------------------


class RequiredRoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    status = serializers.ChoiceField(choices=REQUIRED_ROLE_STATUSES)
    signer = PersonSerializer(allow_null=True)
    signed_at = serializers.DateTimeField(allow_null=True)


class ChangeSerializer(PortalModelSerializer):
    version = serializers.IntegerField(source="version_id", read_only=True)
    version_label = serializers.CharField(source="version.label", read_only=True)
    version_status = serializers.ChoiceField(
        source="version.status", choices=RunbookVersion.Status.choices, read_only=True
    )
    document = serializers.IntegerField(source="version.document_id", read_only=True)
    doc_id = serializers.CharField(source="version.document.doc_id", read_only=True)
    change_type = serializers.ChoiceField(choices=ChangeType.choices, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=MAX_REASON_CHARS)
    author = serializers.SerializerMethodField()
    required_roles = serializers.SerializerMethodField()
    rejected_by = serializers.SerializerMethodField()
    sections_touched = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "version",
            "version_label",
            "version_status",
            "document",
            "doc_id",
            "change_type",
            "reason",
            "author",
            "sections_touched",
            "required_roles",
            "rule_text",
            "implementation_lead",
            "submitted_at",
            "review_round",
            "rejection_comment",
            "rejected_by",
            "rejected_at",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "rule_text",
            "implementation_lead",
            "submitted_at",
            "review_round",
            "rejection_comment",
            "rejected_at",
            "created_at",
        ]

    @extend_schema_field(PersonSerializer)
    def get_author(self, change: ChangeRequest) -> dict[str, Any] | None:
        return _person(change.author)

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_rejected_by(self, change: ChangeRequest) -> dict[str, Any] | None:
        return _person(change.rejected_by)

    @extend_schema_field(RequiredRoleSerializer(many=True))
    def get_required_roles(self, change: ChangeRequest) -> list[dict[str, Any]]:
        if not hasattr(change, "approvals_by_role"):
            with_approvals([change])  # one change (a detail): one query
        by_role: dict[str, SignOff] = change.approvals_by_role  # type: ignore[attr-defined]
        rows = []
        for required in change.required_list:
            signoff = by_role.get(required.role)
            rows.append(
                {
                    "role": required.role,
                    "status": "approved" if signoff else "waiting",
                    "signer": _person(signoff.signer) if signoff else None,
                    "signed_at": signoff.signed_at if signoff else None,
                }
            )
        return rows


class ChangeDetailSerializer(ChangeSerializer):
    signing_hash = serializers.SerializerMethodField(
        help_text="Post this back as `shown_hash` to sign this change."
    )

    class Meta(ChangeSerializer.Meta):
        fields = [*ChangeSerializer.Meta.fields, "signing_hash"]

    def get_signing_hash(self, change: ChangeRequest) -> str:
        return signing.subject_hash(change)


class WithdrawInput(StrictSerializer):
    reason = serializers.CharField(max_length=MAX_REASON_CHARS)


def with_approvals(changes: Iterable[ChangeRequest]) -> list[ChangeRequest]:
    """`changes`, each given its valid approvals by role (`approvals_by_role`, read by
    `ChangeSerializer`): one query for a page of changes."""
    rows = list(changes)
    found: dict[int, dict[str, SignOff]] = {change.pk: {} for change in rows}
    for signoff in selectors.change_approvals(found):
        found[signoff.subject_id][signoff.role] = signoff
    for change in rows:
        change.approvals_by_role = found[change.pk]  # type: ignore[attr-defined]
    return rows


class ChangeRequestViewSet(RunbookViewSet):
    """Change requests: what a version changes and why, the roles that must approve it."""

    queryset = ChangeRequest.objects.none()
    serializer_class = ChangeDetailSerializer
    list_serializer_class = ChangeSerializer
    ordering = "-pk"
    write_perms = {
        "partial_update": [services.PERM_AUTHOR],
        "submit": [services.PERM_AUTHOR],
        "withdraw": [services.PERM_AUTHOR],
        # Who may sign is the signing service's to say (the roles the change needs).
        "signoffs": [],
    }

    def get_queryset(self) -> QuerySet[ChangeRequest]:
        queryset = ChangeRequest.objects.select_related(
            "version__document", "author", "rejected_by"
        ).prefetch_related(
            Prefetch(
                "required",
                queryset=RequiredApproval.objects.order_by("position"),
                to_attr="required_list",
            )
        )
        if self.action == "list":
            # The list shows no signing hash, so it never needs the Markdown.
            queryset = queryset.defer("version__content")
        return queryset

    def paginate_queryset(self, queryset: QuerySet[ChangeRequest]) -> list[ChangeRequest] | None:
        page = super().paginate_queryset(queryset)
        return None if page is None else with_approvals(page)

    @extend_schema(request=ChangeSerializer, responses=ChangeDetailSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        change = self.get_object()
        body = ChangeSerializer(change, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.change_update(
            actor=request.user,
            change=change,
            change_type=body.validated_data.get("change_type"),
            reason=body.validated_data.get("reason"),
        )
        return self.respond(change)

    @extend_schema(request=None, responses=ChangeDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self.respond(services.change_submit(actor=request.user, change=self.get_object()))

    @extend_schema(request=WithdrawInput, responses=ChangeDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        change = self.get_object()
        body = valid_body(request, WithdrawInput)
        return self.respond(services.change_withdraw(actor=request.user, change=change, **body))

    @extend_schema(request=ChangeSignInput, responses={201: SignOffSerializer})
    @action(detail=True, methods=["post"])
    def signoffs(self, request: Request, pk: str | None = None) -> Response:
        change = self.get_object()
        if not user_roles(request.user) & set(SIGNING_ROLES):
            # Before the body is read: no role of theirs ever approves a runbook change.
            raise PermissionDenied(
                "Signing a runbook change needs one of the roles "
                f"{', '.join(SIGNING_ROLES)}; you hold none of them."
            )
        return signed(
            services.change_sign(
                actor=request.user, change=change, **signature(request, ChangeSignInput)
            )
        )
