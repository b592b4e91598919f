"""Checks an uploaded file by what it contains, not by what its name claims.

Reusable by every app: `validate_upload(file)` raises a ValidationError in Vietnamese, or returns the detected
kind. Accepted: PDF, DOC/XLS (OLE2), DOCX/XLSX (Office Open XML zip), ODT/ODS (OpenDocument zip), PNG/JPEG/GIF/WEBP
images (decoded by Pillow). The size limit is settings.PORTAL_MAX_UPLOAD_BYTES.
"""

import os
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

from portal.formatting import group_thousands

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# kind -> extensions a file of that kind may carry
EXTENSIONS = {
    "pdf": {".pdf"},
    "ole2": {".doc", ".xls"},
    "docx": {".docx"},
    "xlsx": {".xlsx"},
    "odt": {".odt"},
    "ods": {".ods"},
    "image": {".png", ".jpg", ".jpeg", ".gif", ".webp"},
}
ALLOWED_EXTENSIONS = sorted(set().union(*EXTENSIONS.values()))
ACCEPT_ATTRIBUTE = ",".join(ALLOWED_EXTENSIONS)

CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}

NOT_ALLOWED = (
    "Tệp “%(name)s” không đúng định dạng cho phép (PDF, DOC/DOCX, XLS/XLSX, ODT/ODS, ảnh PNG/JPEG/GIF/WEBP) "
    "hoặc nội dung không khớp với phần mở rộng."
)


def _read_head(file, size=8) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def _zip_kind(file) -> str | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").strip()
                if mimetype == b"application/vnd.oasis.opendocument.text":
                    return "odt"
                if mimetype == b"application/vnd.oasis.opendocument.spreadsheet":
                    return "ods"
                return None
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return "docx"
                if "xl/workbook.xml" in names:
                    return "xlsx"
            return None
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    finally:
        file.seek(0)


def _image_kind(file) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as image:
            image.verify()
            return "image" if image.format in {"PNG", "JPEG", "GIF", "WEBP"} else None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        file.seek(0)


def detect_kind(file) -> str | None:
    """The kind of `file` judged by its bytes: pdf, ole2, docx, xlsx, odt, ods, image; None when unknown."""
    head = _read_head(file)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(file)
    return _image_kind(file)


def validate_upload(file) -> str:
    """Refuse files that are too big, of a kind we do not accept, or whose content does not match their name."""
    name = os.path.basename(getattr(file, "name", "") or "tệp")
    limit = settings.PORTAL_MAX_UPLOAD_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            "Tệp “%(name)s” quá lớn (%(size)s byte); dung lượng tối đa là %(limit)s byte.",
            code="too_big",
            params={"name": name, "size": group_thousands(file.size), "limit": group_thousands(limit)},
        )
    if not file.size:
        raise ValidationError("Tệp “%(name)s” rỗng.", code="empty", params={"name": name})
    extension = os.path.splitext(name)[1].lower()
    kind = detect_kind(file)
    if kind is None or extension not in EXTENSIONS[kind]:
        raise ValidationError(NOT_ALLOWED, code="bad_type", params={"name": name})
    return kind


@deconstructible
class UploadValidator:
    """Model/form field validator wrapping `validate_upload` (so migrations can serialise it)."""

    def __call__(self, file):
        validate_upload(file)

    def __eq__(self, other):
        return isinstance(other, UploadValidator)


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")
