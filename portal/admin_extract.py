"""The admin's view of attachment text (portal.extract): the state, method, pages and progress of each file, the
first 2,000 characters of its text, and the action "Trích xuất lại nội dung"."""

from django.contrib import admin, messages
from django.utils.html import format_html

from .extract_hooks import extract_again

PREVIEW_CHARS = 2_000


class ExtractedTextAdminMixin:
    """For an inline or a ModelAdmin of an `ExtractedText` model: add "text_status" and "text_preview" to
    `fields` and `readonly_fields`."""

    class Media:
        css = {"all": ["css/admin-extract.css"]}

    @admin.display(description="trích xuất nội dung")
    def text_status(self, obj):
        if not obj or not obj.pk:
            return "—"
        return format_html('<span class="extract-state extract-{}">{}</span>', obj.text_state, obj.text_progress())

    @admin.display(description="nội dung trích xuất (2.000 ký tự đầu)")
    def text_preview(self, obj):
        if not obj or not obj.text:
            return "—"
        shown = obj.text[:PREVIEW_CHARS].replace("\f", "\n\n— trang mới —\n\n")
        more = "…" if len(obj.text) > PREVIEW_CHARS else ""
        return format_html(
            '<details><summary>Xem</summary><pre class="extracted-text">{}{}</pre></details>', shown, more
        )


def reextract_action(related: str | None = None):
    """An admin action enqueueing the extraction again: of the selected files, or (with `related`, the reverse
    name of the files) of every file of the selected rows."""

    @admin.action(description="Trích xuất lại nội dung")
    def reextract(modeladmin, request, queryset):
        rows = [f for parent in queryset for f in getattr(parent, related).all()] if related else list(queryset)
        for row in rows:
            extract_again(row)
        modeladmin.message_user(request, f"Đã xếp {len(rows)} tệp vào hàng đợi trích xuất nội dung.", messages.SUCCESS)

    return reextract
