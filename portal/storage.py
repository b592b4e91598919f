"""Private files: stored outside MEDIA_ROOT under generated names and served only by views that check who asks.

The web server serves MEDIA_ROOT directly at /media/, so anything there is public to whoever guesses the URL. Files
that are not public (loan application papers, congress minutes, import spreadsheets with personal data, report
attachments) go to PrivateStorage instead, and each app serves them through a permission-checked view with
`attachment_response`.
"""

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.utils import timezone


class PrivateStorage(FileSystemStorage):
    """Files only our views serve, after checking who asks: kept outside MEDIA_ROOT (PORTAL_PRIVATE_MEDIA_ROOT)."""

    # Read the setting on every use (not once at import), so tests and deployments can move it.
    @property
    def base_location(self):
        return str(settings.PORTAL_PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        # There is no public URL: fail loudly rather than render a /media/ link nobody may follow.
        raise ValueError("Private files have no public URL; link to the app's download view instead.")

    def deconstruct(self):
        return ("portal.storage.PrivateStorage", (), {})


class PrivateFileInlineMixin:
    """For admin inlines of rows with a private `file`: staff who may only view the parent see the inline's own
    download link (our permission-checked view) instead of Django's read-only display of the file, which links to
    `storage.url()` and so would turn the whole change page into a 500."""

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        return [name for name in fields if name != "file"]


def generated_name(folder: str, filename: str) -> str:
    """`<folder>/<yyyy>/<mm>/<uuid><ext>`: the stored name reveals nothing and cannot be guessed."""
    from .uploads import safe_extension

    extension = safe_extension(filename)
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


def attachment_response(field_file, display_name: str) -> FileResponse:
    """Serve a stored file as a download under its original name; never rendered inline, never sniffed."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("Không tìm thấy tệp.") from exc
    response = FileResponse(handle, as_attachment=True, filename=display_name or os.path.basename(field_file.name))
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def move_public_files_to_private(model, folder: str, *, name_field: str | None = None) -> int:
    """Data-migration helper: move `model.file` rows still stored in the public MEDIA_ROOT into PrivateStorage
    under generated names (keeping the uploaded name in `name_field`), and delete the public copy. Rows whose file
    is already private or missing are left alone, so running it twice moves nothing the second time."""
    public = FileSystemStorage(location=settings.MEDIA_ROOT)
    private = PrivateStorage()
    moved = 0
    for row in model.objects.exclude(file="").only("pk", "file"):
        old = row.file.name
        if private.exists(old) or not public.exists(old):
            continue
        with public.open(old, "rb") as handle:
            new = private.save(generated_name(folder, old), handle)
        changes = {"file": new}
        if name_field:
            changes[name_field] = os.path.basename(old)
        model.objects.filter(pk=row.pk).update(**changes)
        public.delete(old)
        moved += 1
    return moved
