"""The admin inline for rows of a protected upload (portal.storage.PrivateFile)."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html


class PrivateFileInline(admin.TabularInline):
    """Rows with a private `file`, shown with a link to the app's permission-checked download view
    (`get_absolute_url`), never to a storage URL: the file input is a bare FileInput, since Django's clearable
    widget links the current file through `storage.url()`, which PrivateStorage refuses.

    Subclasses set `model`, `fields` (ending with "download") and `extra`."""

    readonly_fields = ["download"]
    formfield_overrides = {models.FileField: {"widget": forms.FileInput}}

    def get_fields(self, request, obj=None):
        # Staff who may only view the parent see the download link instead of Django's read-only display of the
        # file, which would also call `storage.url()` and turn the whole change page into a 500.
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        return [name for name in fields if name != "file"]

    @admin.display(description="tải về")
    def download(self, obj):
        if not obj.pk:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.original_name or str(obj))
