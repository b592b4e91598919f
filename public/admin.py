"""The public site in the Django admin: news, pages, polls, web links, visit statistics, contact messages."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_lists import LargeChangelist, year_filter
from portal.forms import SafeRelationsAdminMixin

from . import services
from .forms import AttachmentAdminForm
from .models import (
    Article,
    Attachment,
    Category,
    Choice,
    ContactMessage,
    DailyVisit,
    Page,
    Poll,
    Tag,
    WebLink,
    WebLinkGroup,
)


class RichTextWidget(forms.Textarea):
    """Trix, served from our own static files (works on a closed network); output is sanitised by nh3 on save."""

    template_name = "public/widgets/rich_text.html"

    class Media:
        css = {"all": ["vendor/trix/trix.css", "css/portal-admin.css"]}
        js = ["vendor/trix/trix.umd.min.js", "js/portal-admin.js"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentAdminForm
    extra = 0
    fields = ["name", "file", "order", "content_type", "size"]
    readonly_fields = ["content_type", "size"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "show_on_home", "article_total"]
    list_editable = ["order", "show_on_home"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles"))

    @admin.display(description="số bài", ordering="article_total")
    def article_total(self, obj):
        return obj.article_total


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Article)
class ArticleAdmin(LargeChangelist, SafeRelationsAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "category", "status_label", "publish_at", "featured", "view_count", "updated_by",
                    "updated_at"]  # fmt: skip
    list_filter = ["status", "category", "featured", year_filter("publish_at", "năm đăng")]
    list_select_related = ["category", "updated_by"]
    list_defer = ("lead", "body", "search_text")
    search_fields = ["title", "lead", "slug"]
    autocomplete_fields = ["tags", "related_documents"]
    readonly_fields = ["preview_link", "view_count", "created_by", "created_at", "updated_by", "updated_at"]
    inlines = [AttachmentInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "category", "lead", "body"]}),
        ("Ảnh đại diện", {"fields": ["cover", "cover_alt"]}),
        ("Đăng bài", {"fields": ["status", "publish_at", "featured", "source", "author_initials", "preview_link"]}),
        ("Liên kết", {"fields": ["tags", "related_documents"]}),
        ("Lịch sử", {"fields": ["view_count", "created_by", "created_at", "updated_by", "updated_at"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "body":
            kwargs["widget"] = RichTextWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="trạng thái", ordering="status")
    def status_label(self, obj):
        return obj.display_status()

    @admin.display(description="xem trước")
    def preview_link(self, obj):
        if not obj.pk:
            return "Lưu bài trước khi xem trước."
        url = reverse("public:article_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">Xem trước bài viết</a>', url)

    def save_model(self, request, obj, form, change):
        services.article_save(article=obj, by=request.user)


@admin.register(Page)
class PageAdmin(SimpleHistoryAdmin):
    list_display = ["title", "slug", "is_published", "order", "updated_at"]
    list_editable = ["is_published", "order"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "body":
            kwargs["widget"] = RichTextWidget
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 2
    fields = ["text", "order"]


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["question", "opens_at", "closes_at", "hide_results_until_closed", "show_on_home", "vote_total"]
    prepopulated_fields = {"slug": ["question"]}
    search_fields = ["question"]
    inlines = [ChoiceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(vote_total=Count("votes"))

    @admin.display(description="lượt bình chọn", ordering="vote_total")
    def vote_total(self, obj):
        return obj.vote_total


class WebLinkInline(admin.TabularInline):
    model = WebLink
    extra = 1
    fields = ["title", "url", "order", "is_active"]


@admin.register(WebLinkGroup)
class WebLinkGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    inlines = [WebLinkInline]


@admin.register(DailyVisit)
class DailyVisitAdmin(admin.ModelAdmin):
    list_display = ["day", "visits"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "name", "email", "created_at", "emailed_at", "handled"]
    list_filter = ["handled"]
    list_editable = ["handled"]
    search_fields = ["subject", "name", "email", "body"]
    readonly_fields = ["name", "email", "phone", "subject", "body", "created_at", "emailed_at"]

    def has_add_permission(self, request):
        return False
