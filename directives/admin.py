from django.contrib import admin

from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["number", "doc_type", "issuer", "issue_date", "status", "is_public"]
    list_filter = ["doc_type", "status", "is_public"]
    search_fields = ["search_text", "number"]
    prepopulated_fields = {"slug": ["number"]}
    date_hierarchy = "issue_date"
