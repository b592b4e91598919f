"""Upload checks for the public site's files: by content (magic bytes), not by the name a user chose, and by size."""

from django.conf import settings
from django.core.exceptions import ValidationError

# content type -> (magic prefixes, label shown to readers)
SIGNATURES = {
    "application/pdf": ([b"%PDF-"], "PDF"),
    "application/msword": ([b"\xd0\xcf\x11\xe0"], "Word"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ([b"PK\x03\x04"], "Word"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ([b"PK\x03\x04"], "Excel"),
    "image/jpeg": ([b"\xff\xd8\xff"], "Ảnh JPEG"),
    "image/png": ([b"\x89PNG\r\n\x1a\n"], "Ảnh PNG"),
}
KIND_LABELS = {ctype: label for ctype, (_magic, label) in SIGNATURES.items()}
EXTENSIONS = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


def sniff_attachment(upload) -> str:
    """The content type of an uploaded attachment, or ValidationError in Vietnamese."""
    if upload.size > settings.PORTAL_MAX_UPLOAD_BYTES:
        limit = settings.PORTAL_MAX_UPLOAD_BYTES // (1024 * 1024)
        raise ValidationError(f"Tệp quá lớn: tối đa {limit} MB.")
    name = (upload.name or "").lower()
    ext = name[name.rfind(".") :] if "." in name else ""
    ctype = EXTENSIONS.get(ext)
    if ctype is None:
        raise ValidationError("Chỉ nhận tệp PDF, Word, Excel, JPEG hoặc PNG.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in SIGNATURES[ctype][0]):
        raise ValidationError("Nội dung tệp không khớp với phần mở rộng của tên tệp.")
    return ctype


def human_size(size: int) -> str:
    from .formatting import group_thousands

    if size >= 1024 * 1024:
        return f"{group_thousands(size / (1024 * 1024), 1)} MB"
    if size >= 1024:
        return f"{group_thousands(size / 1024, 0)} KB"
    return f"{size} byte"
