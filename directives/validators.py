"""Kept so migration 0004 can still import `UploadValidator`; the checks live in portal.uploads."""

from portal.uploads import (  # noqa: F401 - re-exported
    ACCEPT_ATTRIBUTE,
    UploadValidator,
    content_type_for,
    detect_kind,
    validate_upload,
)
