from django.contrib import admin

from bcp_portal.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from incidents.models import CommunicationDraft, PostMortem, PostMortemLesson


class PostMortemLessonInline(ReadOnlyInline):
    model = PostMortemLesson


@admin.register(PostMortem)
class PostMortemAdmin(ReadOnlyAdmin):
    """Written, reviewed (the SRE Lead's signature, with re-authentication), published and
    revised on the portal's pages: the admin only shows them."""

    list_display = ["title", "incident", "status", "revision", "created_at"]
    list_filter = ["status"]
    list_select_related = ["incident"]
    search_fields = ["incident__reference", "title", "root_cause"]
    inlines = [PostMortemLessonInline]


@admin.register(CommunicationDraft)
class CommunicationDraftAdmin(ReadOnlyAdmin):
    """Drafted, edited and marked used on the incident's pages; what was used stays as it was."""

    list_display = ["subject", "incident", "kind", "created_at", "used_at"]
    list_filter = ["kind"]
    list_select_related = ["incident"]
    search_fields = ["incident__reference", "subject"]
