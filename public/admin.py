"""The public site in the Django admin: news, pages, polls, web links, visit statistics, contact messages."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_extract import ExtractedTextAdminMixin, reextract_action
from portal.admin_lists import LargeChangelist, year_filter
from portal.forms import SafeRelationsAdminMixin
from portal.text import clean_html

from . import services, views
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


class AttachmentInline(ExtractedTextAdminMixin, admin.TabularInline):
    model = Attachment
    form = AttachmentAdminForm
    extra = 0
    fields = ["name", "file", "order", "content_type", "size", "text_status", "text_preview"]
    readonly_fields = ["content_type", "size", "text_status", "text_preview"]


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
    change_form_template = "admin/public/article/change_form.html"
    readonly_fields = ["preview_link", "view_count", "created_by", "created_at", "updated_by", "updated_at"]
    inlines = [AttachmentInline]
    actions = [reextract_action("attachments")]
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
            return "Bấm “Xem trước” dưới cùng để xem bài đang soạn."
        url = reverse("admin:public_article_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">Xem trước bản đã lưu</a>', url)

    def get_urls(self):
        stem = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view(self.preview_view)
        return [
            path("xem-truoc/", view, name=f"{stem}_preview_add"),
            path("<path:object_id>/xem-truoc/", view, name=f"{stem}_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request, object_id=None):
        """The public page of the article as the form holds it (POST, from the change form's "Xem trước" button,
        unsaved) or as saved (GET): for those who may change that article, or add one when it is new."""
        if request.method not in (("GET", "POST") if object_id else ("POST",)):
            return HttpResponseNotAllowed(["GET", "POST"] if object_id else ["POST"])
        article = None
        if object_id:
            article = self.get_object(request, unquote(object_id))
            if article is None:
                raise Http404
            if not self.has_change_permission(request, article):
                raise PermissionDenied
        elif not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "GET":
            return views.article_preview_response(
                request, article, tags=article.tags.all(), documents=article.related_documents.all(),
                attachments=article.attachments.all(),
            )  # fmt: skip
        return self._preview_of_form(request, article)

    def _preview_of_form(self, request, article):
        form_class = self.get_form(request, article, change=article is not None)
        form = form_class(request.POST, request.FILES, instance=article)
        cover = article.cover.name if article else ""
        # Fills the unsaved instance with every field that cleaned; a field in error keeps its saved value.
        form.is_valid()
        article = form.instance
        article.cover = cover  # a newly chosen picture is not stored until the form is saved
        article.body = clean_html(article.body)
        services.article_apply_publishing_rule(article=article, now=timezone.now())
        data = form.cleaned_data
        saved = article.pk is not None
        tags = data["tags"] if "tags" in data else (article.tags.all() if saved else [])
        documents = data["related_documents"] if "related_documents" in data else (
            article.related_documents.all() if saved else []
        )  # fmt: skip
        problems = [str(form.fields[name].label) for name in form.errors if name in form.fields]
        return views.article_preview_response(
            request, article, tags=tags, documents=documents, attachments=article.attachments.all() if saved else [],
            problems=problems,
        )  # fmt: skip

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
