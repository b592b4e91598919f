"""Private files: stored apart from the public media under generated names and served only by views that check who
asks.

The web server serves the public media at /media/, so anything there is public to whoever guesses the URL. Files
that are not public (loan application papers, congress minutes, import spreadsheets with personal data, report
attachments) go to the private storage instead, `settings.STORAGES["private"]`: a folder of this host
(PORTAL_PRIVATE_MEDIA_ROOT) on one server, a bucket of its own (PORTAL_PRIVATE_BUCKET_NAME, portal.s3storage) when
several hosts share the files. Each app serves them through a permission-checked view with `attachment_response`.

Every protected upload is a `PrivateFile` (the abstract base below) whose `file` is a `private_file_field`; the
admin shows such rows through `portal.admin_uploads.PrivateFileInline`.
"""

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from .uploads import UploadValidator, display_name, safe_extension

PRIVATE_STORAGE_ALIAS = "private"


class PrivateFileSystemStorage(FileSystemStorage):
    """Private files on this host's disk, outside MEDIA_ROOT (PORTAL_PRIVATE_MEDIA_ROOT): one server only."""

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


class _PrivateStorageHandle(LazyObject):
    """`storages["private"]`, looked up on first use, as Django's `default_storage` is for "default"."""

    def _setup(self):
        self._wrapped = storages[PRIVATE_STORAGE_ALIAS]


private_storage = _PrivateStorageHandle()


@receiver(setting_changed)
def _forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        private_storage._wrapped = empty


def PrivateStorage():  # noqa: N802 - the name the migrations import (once a class); calling it gives the storage
    """The private storage, for a FileField's `storage=` (a callable, so migrations name this function and not
    the backend a deployment picks) and for code that reads or writes private files."""
    return private_storage


def private_file_field(upload_to, *, accepts: str = "documents") -> models.FileField:
    """The `file` of a protected upload: in the private storage, under the name `upload_to` generates, its content
    checked by portal.uploads. Each app passes its own module-level `upload_to`, which its migrations name."""
    return models.FileField("tệp", upload_to=upload_to, storage=PrivateStorage, validators=[UploadValidator(accepts)])


class PrivateFile(models.Model):
    """A protected upload (congress minutes, a borrower's paper, a document's or a report's file): the file is
    stored privately under a generated name, and `original_name` keeps the uploaded name, made safe, for people to
    see and for the download to carry.

    Subclasses declare `file` (a `private_file_field`) and `original_name` themselves, since each app's labels and
    upload folder are named in its migrations; those that also declare `size` have it kept here."""

    # True where staff may type the name shown (an admin field): a typed name then wins over the upload's own.
    keeps_typed_name = False

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # A fresh upload still carries the user's file name here; upload_to replaces it when the file is stored.
        # A row that records the size and has none yet (a file stored before save) is filled in the same way.
        records_size = any(field.name == "size" for field in self._meta.concrete_fields)
        if self.file and (not self.file._committed or (records_size and not self.size)):
            typed = self.original_name if self.keeps_typed_name else ""
            self.original_name = display_name(typed or self.file.name)
            if records_size:
                self.size = self.file.size or 0
        super().save(*args, **kwargs)

    @property
    def is_pdf(self) -> bool:
        return is_pdf_name(self.file.name)

    def get_view_url(self) -> str:
        """The link that opens a PDF in the browser (the download view with `?xem=1`)."""
        return f"{self.get_absolute_url()}?xem=1"


def generated_name(folder: str, filename: str) -> str:
    """`<folder>/<yyyy>/<mm>/<uuid><ext>`: the stored name reveals nothing and cannot be guessed."""
    extension = safe_extension(filename)
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


def is_pdf_name(name: str) -> bool:
    """A stored private file named .pdf: the upload check (portal.uploads) accepted that extension only for bytes
    that are a PDF without scripts or HTML in it."""
    return (name or "").lower().endswith(".pdf")


def wants_inline(request) -> bool:
    """The "Xem" link asks for the file shown in the browser (`?xem=1`) rather than saved."""
    return request.GET.get("xem") == "1"


def attachment_response(field_file, display_name: str, *, inline: bool = False) -> FileResponse:
    """Serve a stored file as a download under its original name, never sniffed. With `inline`, a PDF (and only a
    PDF) is shown in the browser's viewer instead; any other kind is still a download.

    The bytes come through this response from whichever storage holds them (a bucket's object is streamed as it
    arrives, `open_stream`), rather than by a redirect to the bucket: the headers below stay ours, the bucket needs
    no address the browser can reach, and the permission is checked at the moment of the download."""
    stream = getattr(field_file.storage, "open_stream", None)
    size = None
    try:
        if stream is not None:
            handle, size = stream(field_file.name)
        else:
            handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("Không tìm thấy tệp.") from exc
    shown = inline and is_pdf_name(field_file.name)
    filename = display_name or os.path.basename(field_file.name)
    response = FileResponse(handle, as_attachment=not shown, filename=filename)
    if size is not None:
        response["Content-Length"] = str(size)
    response["Content-Type"] = "application/pdf" if shown else "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def move_public_files_to_private(model, folder: str, *, name_field: str | None = None) -> int:
    """Data-migration helper: move `model.file` rows still stored in the public media (the default storage) into the
    private storage under generated names (keeping the uploaded name in `name_field`), and delete the public copy.
    Rows whose file is already private or missing are left alone, so running it twice moves nothing the second
    time."""
    public = storages["default"]
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
