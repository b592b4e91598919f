"""Every upload in the project is checked here, by what the file contains rather than what its name claims.

One path for all upload fields (model validators, forms, admin inlines, the import pages):
- size: at most settings.PORTAL_MAX_UPLOAD_BYTES, and not empty;
- content: the first bytes (and for zip-based Office files, the zip directory) decide the kind, and the name's
  extension must belong to that kind, so HTML named `.pdf` or a PDF named `.docx` is refused;
- PDFs carrying HTML or scripts (a polyglot a browser might render) are refused;
- zip bombs: an OOXML/OpenDocument file is refused from its central directory alone, before anything unpacks it,
  when the declared uncompressed total passes settings.PORTAL_MAX_UNZIPPED_BYTES or the compression ratio passes
  MAX_ZIP_RATIO. The directory cannot lie its way past this: Python's zipfile stops inflating each member at the
  size the directory declares, so openpyxl never sees more than we measured;
- names: the stored name is always generated (portal.storage.generated_name); the name people see goes through
  `display_name`, which drops folders, NUL and other control or direction-changing characters and bounds length.
"""

import os
import re
import unicodedata
import zipfile

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

from .formatting import group_thousands

PDF_MAGIC = b"%PDF-"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

# kind -> extensions a file of that kind may carry
EXTENSIONS = {
    "pdf": {".pdf"},
    "ole2": {".doc", ".xls"},
    "docx": {".docx"},
    "xlsx": {".xlsx"},
    "odt": {".odt"},
    "ods": {".ods"},
    "image": {".png", ".jpg", ".jpeg", ".gif", ".webp"},
    "csv": {".csv"},
    "pkcs12": {".p12", ".pfx"},
}
# What each kind of field accepts, and how the refusal names it.
ACCEPTS = {
    "documents": ({"pdf", "ole2", "docx", "xlsx", "odt", "ods", "image"}, "PDF, DOC/DOCX, XLS/XLSX, ODT/ODS, ảnh"),
    "images": ({"image"}, "ảnh PNG, JPEG, GIF hoặc WEBP"),
    "xlsx": ({"xlsx"}, "Excel .xlsx"),
    "imports": ({"xlsx", "csv"}, "Excel .xlsx hoặc CSV (UTF-8)"),
    "pkcs12": ({"pkcs12"}, "chứng thư số .p12 hoặc .pfx"),
}
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
    ".csv": "text/csv",
}
KIND_LABELS = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.oasis.opendocument.text": "OpenDocument",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument",
    "image/jpeg": "Ảnh JPEG",
    "image/png": "Ảnh PNG",
    "image/gif": "Ảnh GIF",
    "image/webp": "Ảnh WEBP",
}
ALLOWED_EXTENSIONS = sorted(set().union(*(EXTENSIONS[k] for k in ACCEPTS["documents"][0])))
ACCEPT_ATTRIBUTE = ",".join(ALLOWED_EXTENSIONS)

# Real spreadsheets and documents compress XML 5-30 times; 100 leaves room for very repetitive sheets.
MAX_ZIP_RATIO = 100
MAX_ZIP_MEMBERS = 10_000
# Byte patterns that make a browser (or a PDF reader) run something; none belongs in an official document.
PDF_FORBIDDEN = re.compile(
    rb"<\s*(?:html|script|body|iframe|svg|object|embed|!doctype)\b|/JavaScript\b|/Launch\b", re.I
)
NAME_MAX = 180

NOT_ALLOWED = "Tệp “%(name)s” không đúng định dạng cho phép (%(accepted)s) hoặc nội dung không khớp với phần mở rộng."


class ZipBomb(ValueError):
    pass


def _read_head(file, size=8) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def check_zip_directory(archive: zipfile.ZipFile) -> None:
    """Raise ZipBomb when the central directory promises more than we will unpack."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise ZipBomb("too many members")
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if unpacked > settings.PORTAL_MAX_UNZIPPED_BYTES:
        raise ZipBomb("too big unpacked")
    # Small files may compress very well (a sheet of blanks); only a large unpacked size makes the ratio matter.
    if unpacked > 1024 * 1024 and unpacked > MAX_ZIP_RATIO * max(packed, 1):
        raise ZipBomb("compression ratio")


def _zip_kind(file) -> str | None:
    try:
        with zipfile.ZipFile(file) as archive:
            check_zip_directory(archive)
            names = set(archive.namelist())
            if "mimetype" in names:
                if archive.getinfo("mimetype").file_size > 100:
                    return None
                mimetype = archive.read("mimetype").strip()
                return {
                    b"application/vnd.oasis.opendocument.text": "odt",
                    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
                }.get(mimetype)
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return "docx"
                if "xl/workbook.xml" in names:
                    return "xlsx"
            return None
    except ZipBomb:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, ValueError, NotImplementedError, EOFError):
        return None
    finally:
        file.seek(0)


def _image_kind(file) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as image:
            if image.format not in {"PNG", "JPEG", "GIF", "WEBP"}:
                return None
            image.verify()
            return "image"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        file.seek(0)


def _csv_kind(file) -> str | None:
    file.seek(0)
    content = file.read()
    file.seek(0)
    if b"\x00" in content:
        return None
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "csv"


def _pdf_is_clean(file) -> bool:
    file.seek(0)
    tail = b""
    try:
        while chunk := file.read(1024 * 1024):
            if PDF_FORBIDDEN.search(tail + chunk):
                return False
            tail = chunk[-32:]
        return True
    finally:
        file.seek(0)


def _is_pkcs12(head: bytes) -> bool:
    """A PKCS#12 file (RFC 7292) is a DER SEQUENCE whose first element is the INTEGER 3 (its version)."""
    if len(head) < 2 or head[0] != 0x30:
        return False
    length_bytes = head[1] - 0x80 if head[1] > 0x80 else 0
    return head[2 + length_bytes : 5 + length_bytes] == b"\x02\x01\x03"


def detect_kind(file, extension: str = "") -> str | None:
    """The kind of `file` judged by its bytes: pdf, ole2, docx, xlsx, odt, ods, image, csv, pkcs12; None when
    unknown.

    Raises ZipBomb for a zip whose directory promises too much."""
    head = _read_head(file)
    if head.startswith(PDF_MAGIC):
        return "pdf" if _pdf_is_clean(file) else None
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(file)
    if extension == ".csv":
        return _csv_kind(file)
    if _is_pkcs12(_read_head(file, 12)):
        return "pkcs12"
    return _image_kind(file)


def display_name(name: str | None, *, fallback: str = "tệp") -> str:
    """The uploaded name made safe to store and show: no folders, no control, NUL or bidi characters, bounded."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(" " if ch.isspace() else ch for ch in name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"})
    name = " ".join(name.split()).strip(" .")
    if len(name) > NAME_MAX:
        stem, extension = os.path.splitext(name)
        extension = extension[:12]
        name = stem[: NAME_MAX - len(extension)].rstrip(" .") + extension
    return name or fallback


def safe_extension(name: str) -> str:
    """The lower-case extension of a display name, letters and digits only (for generated stored names)."""
    extension = os.path.splitext(display_name(name))[1].lower()
    return extension if re.fullmatch(r"\.[a-z0-9]{1,10}", extension) else ""


def validate_upload(file, accepts: str = "documents") -> str:
    """Refuse files that are too big, empty, of a kind `accepts` does not allow, or whose content does not match
    their name; return the detected kind. Messages in Vietnamese, naming the file."""
    name = display_name(getattr(file, "name", ""))
    kinds, accepted = ACCEPTS[accepts]
    limit = settings.PORTAL_MAX_UPLOAD_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            "Tệp “%(name)s” quá lớn (%(size)s byte); dung lượng tối đa là %(limit)s byte (%(mb)s MB).",
            code="too_big",
            params={
                "name": name,
                "size": group_thousands(size),
                "limit": group_thousands(limit),
                "mb": group_thousands(limit / (1024 * 1024), 0),
            },
        )
    if not size:
        raise ValidationError("Tệp “%(name)s” rỗng.", code="empty", params={"name": name})
    extension = os.path.splitext(name)[1].lower()
    try:
        kind = detect_kind(file, extension)
    except ZipBomb:
        raise ValidationError(
            "Tệp “%(name)s” bị từ chối: khi giải nén sẽ quá lớn (nghi là “bom zip”). "
            "Hãy lưu lại tệp bằng Word/Excel rồi tải lên lại.",
            code="zip_bomb",
            params={"name": name},
        ) from None
    if kind is None or kind not in kinds or extension not in EXTENSIONS[kind]:
        raise ValidationError(NOT_ALLOWED, code="bad_type", params={"name": name, "accepted": accepted})
    return kind


@deconstructible(path="portal.uploads.UploadValidator")
class UploadValidator:
    """Model/form field validator wrapping `validate_upload` (deconstructible, so migrations can name it).

    Files already stored (an unchanged field on edit) are not checked again."""

    def __init__(self, accepts: str = "documents"):
        self.accepts = accepts

    def __call__(self, file):
        if getattr(file, "_committed", False):
            return
        validate_upload(file, self.accepts)

    def __eq__(self, other):
        return isinstance(other, UploadValidator) and other.accepts == self.accepts


class UploadField(forms.FileField):
    """A form file field checked by `validate_upload`."""

    def __init__(self, *, accepts: str = "documents", **kwargs):
        self.accepts = accepts
        if accepts == "documents":
            kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value:
            validate_upload(value, self.accepts)


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{group_thousands(size / (1024 * 1024), 1)} MB"
    if size >= 1024:
        return f"{group_thousands(size / 1024, 0)} KB"
    return f"{size} byte"
